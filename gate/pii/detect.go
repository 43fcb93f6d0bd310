package pii

import (
	"bytes"
	"net/netip"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/net/publicsuffix"

	"github.com/mlc-project/mlc/gate/internal/memo"
)

// Each detector returns the span [start, end) of the first valid entity in
// s, or ok == false. Detectors look for a pattern, then validate it the way
// Microsoft Presidio does, so that look-alikes (order numbers, dates,
// decimals) are not reported.

func isDigit(b byte) bool { return b >= '0' && b <= '9' }
func isUpper(b byte) bool { return b >= 'A' && b <= 'Z' }
func isAlnum(b byte) bool {
	return isDigit(b) || isUpper(b) || (b >= 'a' && b <= 'z') || b == '_' || b >= 0x80
}

// wordStart reports whether a match may start at i (\b before a word
// character, as in Presidio's patterns).
func wordStart(s []byte, i int) bool { return i == 0 || !isAlnum(s[i-1]) }

// wordEnd reports whether a match may end at i.
func wordEnd(s []byte, i int) bool { return i == len(s) || !isAlnum(s[i]) }

// partOfDecimal reports whether the digits at [i, j) continue a decimal
// number ("0.4012888888881881"), which is not a card or an SSN.
func partOfDecimal(s []byte, i, j int) bool {
	before := i >= 2 && (s[i-1] == '.' || s[i-1] == ',') && isDigit(s[i-2])
	after := j+1 < len(s) && (s[j] == '.' || s[j] == ',') && isDigit(s[j+1])
	return before || after
}

// findCreditCard: 13 to 19 digits, optionally grouped by one kind of
// separator (space or dash), starting like a card number (1, 3, 4, 5[0-5],
// 6; not 13 digits starting with 1), with a valid Luhn checksum.
func findCreditCard(s []byte) (int, int, bool) {
	var digits [19]byte
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) || !wordStart(s, i) {
			continue
		}
		n, j, sep := 0, i, byte(0)
		for j < len(s) {
			c := s[j]
			if isDigit(c) {
				if n == len(digits) {
					n++ // too long to be a card
					break
				}
				digits[n] = c
				n++
				j++
				continue
			}
			if (c == ' ' || c == '-') && (sep == 0 || sep == c) && j+1 < len(s) && isDigit(s[j+1]) {
				sep = c
				j++
				continue
			}
			break
		}
		if n >= 13 && n <= 19 && wordEnd(s, j) && !partOfDecimal(s, i, j) && cardPrefix(digits[:n]) && luhn(digits[:n]) {
			return i, j, true
		}
		i = j
	}
	return 0, 0, false
}

func cardPrefix(d []byte) bool {
	switch d[0] {
	case '1':
		return len(d) != 13
	case '3', '4', '6':
		return true
	case '5':
		return d[1] <= '5'
	}
	return false
}

// luhn checks the Luhn (mod 10) checksum of a string of digits.
func luhn(d []byte) bool {
	sum, double := 0, false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if double {
			if v *= 2; v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

// findSSN: a US social security number written AAA-GG-SSSS (or with spaces
// or dots), rejected like Presidio does: mixed delimiters, all digits the
// same, group 00, serial 0000, and area 000 or 666 or the well-known
// examples 078-05-1120, 123-45-6789 and 987-65-432x. Undelimited nine-digit
// numbers are not reported: in a table they are mostly identifiers.
func findSSN(s []byte) (int, int, bool) {
	for i := 0; i+11 <= len(s); i++ {
		if !isDigit(s[i]) || !wordStart(s, i) {
			continue
		}
		c := s[i : i+11]
		d1, d2 := c[3], c[6]
		if !allDigits(c[0:3]) || !allDigits(c[4:6]) || !allDigits(c[7:11]) ||
			(d1 != '-' && d1 != ' ' && d1 != '.') || d1 != d2 || !wordEnd(s, i+11) || partOfDecimal(s, i, i+11) {
			continue
		}
		var d [9]byte
		copy(d[0:3], c[0:3])
		copy(d[3:5], c[4:6])
		copy(d[5:9], c[7:11])
		if validSSN(d[:]) {
			return i, i + 11, true
		}
	}
	return 0, 0, false
}

func validSSN(d []byte) bool {
	same := true
	for _, c := range d {
		same = same && c == d[0]
	}
	if same || string(d[3:5]) == "00" || string(d[5:]) == "0000" {
		return false
	}
	for _, bad := range []string{"000", "666", "123456789", "98765432", "078051120"} {
		if len(d) >= len(bad) && string(d[:len(bad)]) == bad {
			return false
		}
	}
	return true
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return len(b) > 0
}

// ibanLength is the length of an IBAN for each country of the IBAN registry.
var ibanLength = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
	"BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
	"EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
	"GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
	"JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25,
	"MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18,
	"NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33,
	"SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
	"TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

// findIBAN: a country code, two check digits and the account, written
// together or in groups of four, of the country's length, whose mod-97
// checksum is 1.
func findIBAN(s []byte) (int, int, bool) {
	var iban [34]byte
	for i := 0; i+15 <= len(s); i++ {
		if !isUpper(s[i]) || !isUpper(s[i+1]) || !isDigit(s[i+2]) || !isDigit(s[i+3]) || !wordStart(s, i) {
			continue
		}
		want, known := ibanLength[string(s[i:i+2])]
		if !known {
			continue
		}
		n, j, group := 0, i, 0
		for j < len(s) && n < want {
			c := s[j]
			switch {
			case isDigit(c) || isUpper(c):
				iban[n] = c
				n++
				group++
				j++
				continue
			case c == ' ' && group == 4 && j+1 < len(s) && (isDigit(s[j+1]) || isUpper(s[j+1])):
				group = 0
				j++
				continue
			}
			break
		}
		if n == want && wordEnd(s, j) && mod97(iban[:n]) == 1 {
			return i, j, true
		}
	}
	return 0, 0, false
}

// mod97 computes the IBAN checksum: the first four characters moved to the
// end, letters as 10..35, the whole read as a number modulo 97.
func mod97(iban []byte) int {
	r := 0
	for k := range iban {
		c := iban[(k+4)%len(iban)]
		if isDigit(c) {
			r = (r*10 + int(c-'0')) % 97
		} else {
			r = (r*100 + int(c-'A'+10)) % 97
		}
	}
	return r
}

// findIP: an IPv4 address in dotted-quad form or an IPv6 address, as
// net/netip parses them (no leading zeros in IPv4 octets).
func findIP(s []byte) (int, int, bool) {
	for i := 0; i < len(s); i++ {
		if !wordStart(s, i) || (i > 0 && (s[i-1] == '.' || s[i-1] == ':')) {
			continue
		}
		j := i
		dots, colons, hex := 0, 0, false
	scan:
		for j < len(s) && j-i < 45 {
			switch c := s[j]; {
			case isDigit(c):
			case c == '.':
				dots++
			case c == ':':
				colons++
			case (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'):
				hex = true
			default:
				break scan
			}
			j++
		}
		k := j
		for k > i && s[k-1] == '.' {
			k-- // a sentence's full stop
			dots--
		}
		ipv4 := dots == 3 && colons == 0 && !hex
		// IPv6 has eight groups, or "::" for a run of zeros; a time such as
		// 10:22:00 has neither.
		ipv6 := colons >= 7 || (colons == 6 && dots == 3) || (colons >= 2 && bytes.Contains(s[i:k], []byte("::")))
		if k > i && wordEnd(s, j) && (ipv4 || ipv6) {
			if addr, err := netip.ParseAddr(string(s[i:k])); err == nil && (addr.Is4() || colons >= 2) {
				return i, k, true
			}
		}
		if j > i {
			i = j
		}
	}
	return 0, 0, false
}

// findEmail: local@domain where the domain ends in a top-level domain that
// exists (from the public suffix list), as Presidio checks with tldextract.
func findEmail(s []byte) (int, int, bool) {
	for at := 0; at < len(s); at++ {
		if s[at] != '@' {
			continue
		}
		i := at
		for i > 0 && isLocalChar(s[i-1]) {
			i--
		}
		j := at + 1
		for j < len(s) && (isDigit(s[j]) || isUpper(s[j]) || (s[j] >= 'a' && s[j] <= 'z') || s[j] == '-' || s[j] == '.') {
			j++
		}
		for j > at+1 && (s[j-1] == '.' || s[j-1] == '-') {
			j--
		}
		if i < at && validDomain(s[at+1:j]) {
			return i, j, true
		}
	}
	return 0, 0, false
}

func isLocalChar(c byte) bool {
	return isDigit(c) || isUpper(c) || (c >= 'a' && c <= 'z') || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

func validDomain(d []byte) bool {
	last, start := -1, 0
	for k := 0; k <= len(d); k++ {
		if k < len(d) && d[k] != '.' {
			continue
		}
		label := d[start:k]
		if len(label) == 0 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		last, start = start, k+1
	}
	if last <= 0 {
		return false // no dot: not a domain on the internet
	}
	tld := d[last:]
	var lower [63]byte
	if len(tld) < 2 || len(tld) > len(lower) {
		return false
	}
	for k, c := range tld {
		if !isUpper(c) && (c < 'a' || c > 'z') {
			return false
		}
		lower[k] = c | 0x20
	}
	_, icann := publicsuffix.PublicSuffix("x." + string(lower[:len(tld)]))
	return icann
}

// Regions tried, in order, for numbers without a country code: Presidio's
// defaults (GB for its "UK"). Numbers written without the trunk prefix 0
// are only read as North American, where there is none: elsewhere most
// short digit groups would be valid somewhere.
var (
	trunkRegions = []string{"GB", "DE", "FR", "IL", "IN", "BR"}
	nanpRegions  = []string{"US", "CA"}
)

// phoneFinder validates phone numbers with libphonenumber, reusing one
// parsed-number value and remembering verdicts, since libphonenumber is the
// slowest detector and columns repeat values.
type phoneFinder struct {
	num     phonenumbers.PhoneNumber
	verdict *memo.Memo[bool]
}

// find: a run of 7 to 15 digits with phone punctuation, valid for its
// country code or for one of the default regions. Plain numbers (digits
// with at most a decimal point) count only with a leading "+", and dates
// (2024-01-31, 31.01.2024) and dotted quads never do.
func (p *phoneFinder) find(s []byte) (int, int, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isDigit(c) || c == '+' || c == '(') || (i > 0 && (isAlnum(s[i-1]) || s[i-1] == '+' || s[i-1] == '.')) {
			continue
		}
		j, digits, punct := i, 0, 0
		for j < len(s) {
			c := s[j]
			if isDigit(c) {
				digits++
			} else if c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || (c == '+' && j == i) {
				punct++
			} else {
				break
			}
			j++
		}
		k := j
		for k > i && !isDigit(s[k-1]) && s[k-1] != ')' {
			k--
		}
		cand := s[i:k]
		if plausiblePhone(cand, digits) && wordEnd(s, k) && (k == len(s) || s[k] != ':') && !dateLike(cand) && !ipv4Like(cand) && p.valid(cand) {
			return i, k, true
		}
		i = j
	}
	return 0, 0, false
}

func (p *phoneFinder) valid(cand []byte) bool {
	if p.verdict == nil {
		p.verdict = memo.New[bool](4096)
	}
	if v, ok := p.verdict.Get(cand); ok {
		return v
	}
	v := p.parse(string(cand))
	p.verdict.Put(cand, v)
	return v
}

func (p *phoneFinder) parse(text string) bool {
	if text[0] == '+' {
		return phonenumbers.ParseToNumber(text, "", &p.num) == nil && phonenumbers.IsValidNumber(&p.num)
	}
	regions := nanpRegions
	if trunkPrefixed(text) {
		regions = trunkRegions
	}
	for _, region := range regions {
		if phonenumbers.ParseToNumber(text, region, &p.num) == nil && phonenumbers.IsValidNumberForRegion(&p.num, region) {
			return true
		}
	}
	return false
}

// plausiblePhone rules out, before libphonenumber, what cannot be a phone
// number in its notation: an international number has 8 to 15 digits; a
// national one written with its trunk prefix 0, 7 to 13; a North American
// one 10, or 11 with the country code 1. Without "+", a plain number
// (digits with at most a decimal point) is not a phone number.
func plausiblePhone(cand []byte, digits int) bool {
	if digits < 7 {
		return false
	}
	switch dots, numeric := digitsAndDots(cand); {
	case cand[0] == '+':
		return digits >= 8 && digits <= 15
	case numeric && dots <= 1: // a plain number
		return false
	case trunkPrefixed(string(cand)):
		return digits >= 7 && digits <= 13
	}
	return digits == 10 || (digits == 11 && cand[0] == '1')
}

// trunkPrefixed: a national number written with its trunk prefix, 0 or (0.
func trunkPrefixed[T string | []byte](s T) bool {
	return s[0] == '0' || (s[0] == '(' && len(s) > 1 && s[1] == '0')
}

// digitsAndDots counts the dots of b and reports whether b has nothing
// else but digits.
func digitsAndDots(b []byte) (dots int, ok bool) {
	for _, c := range b {
		if c == '.' {
			dots++
		} else if !isDigit(c) {
			return dots, false
		}
	}
	return dots, true
}

// ipv4Like: four dot-separated groups of digits.
func ipv4Like(b []byte) bool {
	dots, numeric := digitsAndDots(b)
	return numeric && dots == 3
}

// dateLike: starts with a date, three groups of digits of lengths 4-2-2,
// 2-2-4 or 1/2-1/2-4 with one separator, like 2024-01-31 or 31.01.2024
// (and maybe a time after it).
func dateLike(b []byte) bool {
	var groups [3]int
	n, sep := 0, byte(0)
	for _, c := range b {
		if isDigit(c) {
			groups[n]++
			continue
		}
		if n == 2 {
			break // the date is complete; a time may follow
		}
		if sep != 0 && c != sep {
			return false
		}
		sep = c
		n++
	}
	g := groups
	return n == 2 && ((g[0] == 4 && g[1] <= 2 && g[2] <= 2) || (g[0] <= 2 && g[1] <= 2 && g[2] == 4))
}
