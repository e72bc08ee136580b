package web

import "sort"

// commonZones are offered in time-zone pickers; any IANA name is accepted.
var commonZones = []string{
	"UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Madrid",
	"Europe/Rome", "Europe/Amsterdam", "Europe/Brussels", "Europe/Stockholm", "Europe/Oslo", "Europe/Copenhagen",
	"Europe/Helsinki", "Europe/Warsaw", "Europe/Prague", "Europe/Vienna", "Europe/Zurich", "Europe/Athens",
	"Europe/Istanbul", "Europe/Kyiv", "Africa/Lagos", "Africa/Johannesburg", "Africa/Nairobi", "Africa/Cairo",
	"Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Hong_Kong", "Asia/Shanghai", "Asia/Tokyo", "Asia/Seoul",
	"Australia/Perth", "Australia/Sydney", "Australia/Melbourne", "Pacific/Auckland", "America/St_Johns",
	"America/Halifax", "America/New_York", "America/Toronto", "America/Chicago", "America/Denver", "America/Phoenix",
	"America/Los_Angeles", "America/Vancouver", "America/Anchorage", "Pacific/Honolulu", "America/Mexico_City",
	"America/Bogota", "America/Lima", "America/Santiago", "America/Sao_Paulo", "America/Argentina/Buenos_Aires",
}

// TimeZones returns the zones offered in pickers, sorted.
func TimeZones() []string {
	out := append([]string(nil), commonZones...)
	sort.Strings(out[1:])
	return out
}
