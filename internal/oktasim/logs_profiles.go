package oktasim

import (
	"fmt"
	"math/rand/v2"
)

// netProfile is where a request came from: client software, IP address,
// geography and network reputation. The generator picks one per event (a
// user's home profile, an admin tool, or a hostile source); its JSON
// (client, device, securityContext, request) is encoded once and shared by
// every event that uses it, which keeps the store compact.
type netProfile struct {
	ip      string
	hostile bool
	service bool // an API client (SDK user agent), not a browser
	// tail is `,"client":{…},"device":…,"securityContext":{…},"request":{…}}`:
	// the end of a LogEvent object, closing brace included.
	tail []byte
}

type geoPlace struct {
	city, state, country, postal string
	lat, lon                     float64
}

// Places are real cities with approximate coordinates; the IP addresses that
// go with them are documentation addresses, so nothing here locates anyone.
var geoPlaces = []geoPlace{
	{"New York", "New York", "United States", "10001", 40.7506, -73.9972},
	{"San Francisco", "California", "United States", "94105", 37.7898, -122.3942},
	{"Chicago", "Illinois", "United States", "60601", 41.8858, -87.6181},
	{"Austin", "Texas", "United States", "78701", 30.2713, -97.7426},
	{"Seattle", "Washington", "United States", "98101", 47.6101, -122.3344},
	{"Toronto", "Ontario", "Canada", "M5H", 43.6511, -79.3832},
	{"London", "England", "United Kingdom", "EC2V", 51.5154, -0.0922},
	{"Dublin", "Leinster", "Ireland", "D02", 53.3438, -6.2546},
	{"Berlin", "Land Berlin", "Germany", "10117", 52.5163, 13.3777},
	{"Paris", "Ile-de-France", "France", "75002", 48.8686, 2.3416},
	{"Sydney", "New South Wales", "Australia", "2000", -33.8688, 151.2093},
	{"Singapore", "Central Singapore", "Singapore", "048583", 1.2834, 103.8607},
}

var hostilePlaces = []geoPlace{
	{"Amsterdam", "North Holland", "Netherlands", "1012", 52.374, 4.8897},
	{"Frankfurt am Main", "Hesse", "Germany", "60313", 50.1155, 8.6842},
	{"Ashburn", "Virginia", "United States", "20147", 39.0437, -77.4875},
}

type userAgentKind struct {
	raw, os, browser, device string
}

var browserAgents = []userAgentKind{
	{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", "Mac OS X", "CHROME", "Computer"},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0", "Windows 10", "EDGE_CHROMIUM", "Computer"},
	{"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0", "Windows 10", "FIREFOX", "Computer"},
	{"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15", "Mac OS X", "SAFARI", "Computer"},
	{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1", "iOS", "MOBILE_SAFARI", "Mobile"},
	{"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36", "Android", "CHROME", "Mobile"},
	{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", "Linux", "CHROME", "Computer"},
}

var serviceAgents = []userAgentKind{
	{"okta-sdk-golang/2.20.0 golang/go1.22.3 linux/amd64", "Linux", "UNKNOWN", "Unknown"},
	{"okta-sdk-python/2.9.8 python/3.12.3 Linux/6.8.0", "Linux", "UNKNOWN", "Unknown"},
	{"Terraform/1.8.2 terraform-provider-okta/4.8.1", "Unknown", "UNKNOWN", "Unknown"},
}

var hostileAgents = []userAgentKind{
	{"python-requests/2.31.0", "Unknown", "UNKNOWN", "Unknown"},
	{"curl/8.5.0", "Unknown", "UNKNOWN", "Unknown"},
	{"Go-http-client/1.1", "Unknown", "UNKNOWN", "Unknown"},
}

// documentationNets are the RFC 5737 IPv4 blocks; IPv6 uses 2001:db8::/32 (RFC 3849).
var documentationNets = []string{"192.0.2.", "198.51.100.", "203.0.113."}

// buildProfiles returns the profile pools: browser users, API clients and
// hostile sources. Deterministic for a given rng.
func buildProfiles(rng *rand.Rand, serviceClientID string) (users, services, hostile []*netProfile) {
	for i := range 48 {
		place := geoPlaces[i%len(geoPlaces)]
		ua := browserAgents[rng.IntN(len(browserAgents))]
		ip, v6 := profileIP(i, 0)
		withDevice := ua.device == "Mobile" || i%5 == 0
		p := &netProfile{ip: ip}
		p.tail = encodeProfileTail(rng, ip, v6, place, ua, "", withDevice, false, 64496+i%8, "LOW")
		users = append(users, p)
	}
	for i := range 6 {
		place := geoPlaces[i%3]
		ua := serviceAgents[i%len(serviceAgents)]
		ip, v6 := profileIP(i, 100)
		p := &netProfile{ip: ip, service: true}
		p.tail = encodeProfileTail(rng, ip, v6, place, ua, serviceClientID, false, false, 64504+i%4, "LOW")
		services = append(services, p)
	}
	for i := range 9 {
		place := hostilePlaces[i%len(hostilePlaces)]
		ua := hostileAgents[i%len(hostileAgents)]
		ip, v6 := profileIP(i, 200)
		p := &netProfile{ip: ip, hostile: true}
		p.tail = encodeProfileTail(rng, ip, v6, place, ua, "", false, true, 64508+i%4, "HIGH")
		hostile = append(hostile, p)
	}
	return users, services, hostile
}

// profileIP gives profile i of a pool (offset separates pools) a
// documentation address; every seventh one is IPv6.
func profileIP(i, offset int) (string, bool) {
	n := i + offset
	if n%7 == 6 {
		return fmt.Sprintf("2001:db8:%x::%x", 0x100+n, 1+n%200), true
	}
	return fmt.Sprintf("%s%d", documentationNets[n%3], 1+(n*37)%253), false
}

func appendGeo(b []byte, g geoPlace) []byte {
	b = append(b, `{"city":`...)
	b = appendJSONString(b, g.city)
	b = append(b, `,"state":`...)
	b = appendJSONString(b, g.state)
	b = append(b, `,"country":`...)
	b = appendJSONString(b, g.country)
	b = append(b, `,"postalCode":`...)
	b = appendJSONString(b, g.postal)
	b = append(b, `,"geolocation":{"lat":`...)
	b = appendFloat(b, g.lat)
	b = append(b, `,"lon":`...)
	b = appendFloat(b, g.lon)
	return append(b, "}}"...)
}

func appendNetworkIdentity(b []byte, asn int, hostile bool) []byte {
	org, isp, domain := "example transit", "example isp", "example.net"
	if hostile {
		org, isp, domain = "example cloud hosting", "example cloud", "example.com"
	} else if asn%2 == 1 {
		org, isp, domain = "example broadband", "example telecom", "example.org"
	}
	b = append(b, `"asNumber":`...)
	b = fmt.Appendf(b, "%d", asn)
	b = append(b, `,"asOrg":`...)
	b = appendJSONString(b, org)
	b = append(b, `,"isp":`...)
	b = appendJSONString(b, isp)
	b = append(b, `,"domain":`...)
	b = appendJSONString(b, domain)
	b = fmt.Appendf(b, `,"isProxy":%t`, hostile)
	return b
}

func encodeProfileTail(rng *rand.Rand, ip string, v6 bool, place geoPlace, ua userAgentKind, clientID string,
	withDevice, hostile bool, asn int, risk string) []byte {
	b := make([]byte, 0, 1400)
	b = append(b, `,"client":{"userAgent":{"rawUserAgent":`...)
	b = appendJSONString(b, ua.raw)
	b = append(b, `,"os":`...)
	b = appendJSONString(b, ua.os)
	b = append(b, `,"browser":`...)
	b = appendJSONString(b, ua.browser)
	b = append(b, `},"zone":"null","device":`...)
	b = appendJSONString(b, ua.device)
	b = append(b, `,"id":`...)
	b = appendJSONStringOrNull(b, clientID)
	b = append(b, `,"ipAddress":`...)
	b = appendJSONString(b, ip)
	b = append(b, `,"geographicalContext":`...)
	b = appendGeo(b, place)
	b = append(b, `},"device":`...)
	if withDevice {
		platform, version := "MACOS", "14.4.1"
		if ua.os == "iOS" {
			platform, version = "IOS", "17.4"
		} else if ua.os == "Android" {
			platform, version = "ANDROID", "14"
		} else if ua.os == "Windows 10" {
			platform, version = "WINDOWS", "10.0.19045"
		}
		b = append(b, `{"id":`...)
		b = appendJSONString(b, newOktaID(rng, "guo"))
		b = fmt.Appendf(b, `,"name":"device-%s","os_platform":"%s","os_version":"%s","managed":%t,"registered":true,`+
			`"device_integrator":null,"disk_encryption_type":"ALL_INTERNAL_VOLUMES","screen_lock_type":"BIOMETRIC",`+
			`"jailbreak":false,"secure_hardware_present":true}`, newOktaID(rng, "")[:6], platform, version, rng.IntN(2) == 0)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"securityContext":{`...)
	b = appendNetworkIdentity(b, asn, hostile)
	if hostile {
		b = append(b, `,"risk":{"level":"HIGH","reasons":"Anomalous Location, Anonymizing Proxy"}`...)
	} else {
		b = append(b, `,"risk":{"level":`...)
		b = appendJSONString(b, risk)
		b = append(b, `,"reasons":null}`...)
	}
	b = append(b, `},"request":{"ipChain":[{"ip":`...)
	b = appendJSONString(b, ip)
	b = append(b, `,"geographicalContext":`...)
	b = appendGeo(b, place)
	if v6 {
		b = append(b, `,"version":"V6"`...)
	} else {
		b = append(b, `,"version":"V4"`...)
	}
	b = append(b, `,"source":null,"ipDetails":{`...)
	b = appendNetworkIdentity(b, asn, hostile)
	b = append(b, "}}]}}"...)
	return b
}
