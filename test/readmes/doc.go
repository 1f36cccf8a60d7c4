// Package readmes checks the component READMEs against what they describe: the metrics tables
// against each component's metadata.yaml, the mdatagen status section, and the root README's
// links to them.
package readmes
