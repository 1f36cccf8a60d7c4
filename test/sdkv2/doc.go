// Package sdkv2 measures what a program built on okta-sdk-golang v2 (v2.20.0) gets from Okta,
// against the simulator over HTTP: the fields its models drop, the next links it rewrites, and
// the 429s it collects for want of a rate-limit budget. The receiver's README cites these
// measurements to explain why the receiver talks to Okta through its own small client. The SDK
// stays out of the component modules; it is a dependency of the root module's tests only.
package sdkv2
