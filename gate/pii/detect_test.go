package pii

import "testing"

type vector struct {
	in   string
	want string // the matched text, "" for no match
}

func runVectors(t *testing.T, name string, find func([]byte) (int, int, bool), vs []vector) {
	t.Helper()
	for _, v := range vs {
		i, j, ok := find([]byte(v.in))
		got := ""
		if ok {
			got = v.in[i:j]
		}
		if got != v.want {
			t.Errorf("%s(%q) = %q, want %q", name, v.in, got, v.want)
		}
	}
}

func TestCreditCard(t *testing.T) {
	runVectors(t, "card", findCreditCard, []vector{
		// the vectors
		{"4012888888881881", "4012888888881881"},
		{"4012-8888-8888-1881", "4012-8888-8888-1881"},
		{"371449635398431", "371449635398431"},
		{"30569309025904", "30569309025904"},
		{"4012-8888-8888-1882", ""},
		{"36168002586008", ""},
		// in text, and look-alikes
		{"paid with 4012 8888 8888 1881.", "4012 8888 8888 1881"},
		{"4012-8888 8888-1881", ""},     // mixed separators
		{"x4012888888881881", ""},       // inside a word
		{"0.4012888888881881", ""},      // the decimals of a number
		{"1234567890128", ""},           // 13 digits starting with 1
		{"40128888888818810000000", ""}, // too long
		{"9012888888881881", ""},        // not a card prefix
	})
}

func TestIBAN(t *testing.T) {
	runVectors(t, "iban", findIBAN, []vector{
		{"DE89370400440532013000", "DE89370400440532013000"},
		{"IBAN DE89 3704 0044 0532 0130 00, thanks", "DE89 3704 0044 0532 0130 00"},
		{"GB82WEST12345698765432", "GB82WEST12345698765432"},
		{"DE89370400440532013001", ""},     // checksum
		{"DE8937040044053201300", ""},      // too short for DE
		{"ZZ89370400440532013000", ""},     // no such country
		{"DE89 37040 04405 32013 000", ""}, // not grouped by four
	})
}

func TestSSN(t *testing.T) {
	runVectors(t, "ssn", findSSN, []vector{
		{"536-22-1234", "536-22-1234"},
		{"ssn 536 22 1234", "536 22 1234"},
		{"536.22.1234", "536.22.1234"},
		{"536-22.1234", ""}, // mixed delimiters
		{"111-11-1111", ""}, // all the same digit
		{"536-00-1234", ""}, // group 00
		{"536-22-0000", ""}, // serial 0000
		{"000-22-1234", ""},
		{"666-22-1234", ""},
		{"078-05-1120", ""},
		{"123-45-6789", ""},
		{"987-65-4321", ""},
		{"536221234", ""},    // undelimited: an identifier
		{"1536-22-1234", ""}, // longer number
	})
}

func TestEmail(t *testing.T) {
	runVectors(t, "email", findEmail, []vector{
		{"jane.doe@example.com", "jane.doe@example.com"},
		{"write to <j_d+tag@mail.co.uk>.", "j_d+tag@mail.co.uk"},
		{"J@EXAMPLE.ORG", "J@EXAMPLE.ORG"},
		{"a@b.notarealtld", ""},
		{"admin@localhost", ""},
		{"@example.com", ""},
		{"x@-bad.com", ""},
		{"price 3@4.50", ""},
	})
}

func TestIP(t *testing.T) {
	runVectors(t, "ip", findIP, []vector{
		{"192.168.1.10", "192.168.1.10"},
		{"from 10.0.0.1.", "10.0.0.1"},
		{"2001:db8::1", "2001:db8::1"},
		{"::ffff:10.0.0.1", "::ffff:10.0.0.1"},
		{"1.2.3", ""},
		{"256.1.1.1", ""},
		{"01.2.3.4", ""},
		{"1.2.3.4.5", ""},
		{"12:30:45", ""},
		{"2001:db8:0:0:0:0:0:1", "2001:db8:0:0:0:0:0:1"},
		{"0:0:0:0:0:ffff:10.0.0.1", "0:0:0:0:0:ffff:10.0.0.1"},
		{"1:2:3:4", ""},
		{"v1.2.3.4", ""},
	})
}

func TestPhone(t *testing.T) {
	var p phoneFinder
	runVectors(t, "phone", p.find, []vector{
		{"+1 650-253-0000", "+1 650-253-0000"},
		{"call (650) 253-0000 now", "(650) 253-0000"},
		{"+44 20 7031 3000", "+44 20 7031 3000"},
		{"030 901820", "030 901820"}, // Berlin, found as DE
		{"+49 30 901820", "+49 30 901820"},
		{"2024-01-15", ""},  // a date
		{"15.01.2024", ""},  // a date
		{"0.123456789", ""}, // a decimal number
		{"6502530000", ""},  // undelimited digits: an identifier
		{"+1 000-000-0000", ""},
		{"123-456", ""},
		{"+", ""}, // punctuation alone (found by fuzzing)
		{"(", ""},
		{"1 (", ""},
	})
}

func TestMask(t *testing.T) {
	for _, tc := range []struct {
		e        Entity
		in, want string
	}{
		{Email, "jane.doe@example.com", "j***@example.com"},
		{CreditCard, "4012-8888-8888-1881", "****-****-****-1881"},
		{SSN, "536-22-1234", "***-**-1234"},
		{IBAN, "DE89 3704 0044 0532 0130 00", "DE** **** **** **** **** 00"},
		{Phone, "+1 650-253-0000", "+* ***-***-**00"},
		{IP, "192.168.1.10", "192.***.*.**"},
		{IP, "2001:db8::1", "2001:***::*"},
	} {
		if got := mask(tc.e, []byte(tc.in)); got != tc.want {
			t.Errorf("mask(%s, %q) = %q, want %q", tc.e, tc.in, got, tc.want)
		}
	}
}
