/**
 * Labelled texts for the PII tests: positives, negatives and near misses for every type. Each
 * case lists exactly the spans a careful human would mask. Card numbers are the networks'
 * published test numbers; IBANs are the examples of the SWIFT IBAN registry / ECBS.
 */
import type { PiiType } from "./detect.ts";

/** A text and the hits it must yield, as [type, value]. */
export interface LabelledCase {
  text: string;
  expected: [PiiType, string][];
  /** Why a near miss is not a hit (documents the decision). */
  note?: string;
}

export const LABELLED_PII: LabelledCase[] = [
  // e-mail
  { text: "Write to jane.doe@example.com today.", expected: [["email", "jane.doe@example.com"]] },
  {
    text: "cc: ops+alerts@mail.example.co.uk",
    expected: [["email", "ops+alerts@mail.example.co.uk"]],
  },
  { text: "<a_b-c@sub-domain.example.org>", expected: [["email", "a_b-c@sub-domain.example.org"]] },
  { text: "ADMIN@EXAMPLE.NET.", expected: [["email", "ADMIN@EXAMPLE.NET"]] },
  { text: "user@localhost is not routable", expected: [], note: "no top-level domain" },
  { text: "follow @textnlp on social", expected: [], note: "a handle, not an address" },
  { text: "the a@b pattern", expected: [], note: "no domain dot" },
  { text: "name@domain.c is truncated", expected: [], note: "one-letter TLD" },
  { text: "pip install pkg@1.2.3", expected: [], note: "a version pin" },
  // phone
  { text: "Call +1 (415) 555-2671 now", expected: [["phone", "+1 (415) 555-2671"]] },
  { text: "office: 415-555-2671", expected: [["phone", "415-555-2671"]] },
  { text: "London +44 20 7946 0958", expected: [["phone", "+44 20 7946 0958"]] },
  { text: "Paris +33 1 42 68 53 00.", expected: [["phone", "+33 1 42 68 53 00"]] },
  { text: "Berlin: +49 30 901820", expected: [["phone", "+49 30 901820"]] },
  { text: "order number 123456789 shipped", expected: [], note: "too short, no country shape" },
  { text: "released on 2024-01-15", expected: [], note: "a date" },
  { text: "ext. 555-1234", expected: [], note: "seven digits without area code" },
  { text: "+1 (415) 555-26", expected: [], note: "incomplete" },
  // written after the rules, as a check on cases not tuned for (the first found a false phone)
  {
    text: "tel (212) 555-0147, ext 3",
    expected: [["phone", "(212) 555-0147, ext 3"]],
    note: "the extension is part of the number (libphonenumber's span)",
  },
  { text: "phone +81 3-1234-5678 in Tokyo", expected: [["phone", "+81 3-1234-5678"]] },
  { text: "Invoice #2024-000123 due 03/04/2025", expected: [], note: "a document number" },
  { text: "ISBN 978-3-16-148410-0", expected: [], note: "a book number" },
  { text: "coordinates 40.7128, -74.0060", expected: [], note: "coordinates" },
  // payment cards
  { text: "Visa 4111 1111 1111 1111 exp 12/29", expected: [["card", "4111 1111 1111 1111"]] },
  { text: "card=5555555555554444;", expected: [["card", "5555555555554444"]] },
  { text: "Amex 3782-822463-10005", expected: [["card", "3782-822463-10005"]] },
  { text: "Discover 6011111111111117", expected: [["card", "6011111111111117"]] },
  { text: "JCB 3530111333300000", expected: [["card", "3530111333300000"]] },
  { text: "Diners 30569309025904", expected: [["card", "30569309025904"]] },
  { text: "MC 2-series 2223003122003222", expected: [["card", "2223003122003222"]] },
  {
    text: "visa 4012888888881881 and 4222222222222",
    expected: [
      ["card", "4012888888881881"],
      ["card", "4222222222222"],
    ],
  },
  { text: "4111 1111 1111 1112", expected: [], note: "fails Luhn" },
  { text: "tracking 1234567812345678", expected: [], note: "fails Luhn" },
  { text: "0000 0000 0000 0000", expected: [], note: "passes Luhn, no network issues it" },
  { text: "5555 5555 5555 4443", expected: [], note: "fails Luhn by one digit" },
  { text: "Amex-like 378282246310006", expected: [], note: "fails Luhn" },
  // IBAN
  {
    text: "Pay GB82 WEST 1234 5698 7654 32 please",
    expected: [["iban", "GB82 WEST 1234 5698 7654 32"]],
  },
  { text: "IBAN: DE89370400440532013000", expected: [["iban", "DE89370400440532013000"]] },
  { text: "FR1420041010050500013M02606", expected: [["iban", "FR1420041010050500013M02606"]] },
  { text: "NL91ABNA0417164300 (ABN)", expected: [["iban", "NL91ABNA0417164300"]] },
  { text: "CH93 0076 2011 6238 5295 7", expected: [["iban", "CH93 0076 2011 6238 5295 7"]] },
  { text: "Norway NO9386011117947", expected: [["iban", "NO9386011117947"]] },
  { text: "BE68539007547034 SEPA", expected: [["iban", "BE68539007547034"]] },
  { text: "GB82 WEST 1234 5698 7654 33", expected: [], note: "wrong check digits (mod 97)" },
  { text: "GB83WEST12345698765432", expected: [], note: "check digits altered" },
  { text: "DE8937040044053201300", expected: [], note: "one character short for DE" },
  { text: "XX82WEST12345698765432", expected: [], note: "not a country" },
  { text: "model AB12CDEFGHIJKLMNOP", expected: [], note: "shape only" },
  {
    text: "IBAN ES91 2100 0418 4502 0005 1332 BIC CAIXESBBXXX",
    expected: [["iban", "ES91 2100 0418 4502 0005 1332"]],
  },
  {
    text: "PL61 1090 1014 0000 0712 1981 2874",
    expected: [["iban", "PL61 1090 1014 0000 0712 1981 2874"]],
  },
  // SSN
  { text: "SSN 123-45-6789 on file", expected: [["ssn", "123-45-6789"]] },
  { text: "ssn: 536 22 1234", expected: [["ssn", "536 22 1234"]] },
  { text: "applicant 772-01-0099", expected: [["ssn", "772-01-0099"]] },
  { text: "Her SSN (401-23-4567) was leaked", expected: [["ssn", "401-23-4567"]] },
  { text: "000-12-3456", expected: [], note: "area 000 is never issued" },
  { text: "666-12-3456", expected: [], note: "area 666 is never issued" },
  { text: "912-34-5678", expected: [], note: "areas 900-999 are never issued" },
  { text: "123-00-4567", expected: [], note: "group 00" },
  { text: "123-45-0000", expected: [], note: "serial 0000" },
  { text: "078-05-1120", expected: [], note: "the Woolworth wallet number, voided" },
  { text: "123-45 6789", expected: [], note: "mixed separators" },
  // IPv4
  { text: "ssh to 192.168.1.10 now", expected: [["ipv4", "192.168.1.10"]] },
  { text: "DNS 8.8.8.8.", expected: [["ipv4", "8.8.8.8"]] },
  { text: "from 10.0.0.255:8080", expected: [["ipv4", "10.0.0.255"]] },
  { text: "(255.255.255.0)", expected: [["ipv4", "255.255.255.0"]] },
  { text: "999.1.1.1 is out of range", expected: [], note: "octet above 255" },
  { text: "version 1.2.3.4 is out", expected: [], note: "a version number, by the word before it" },
  { text: "upgrade to v10.0.0.1", expected: [], note: "a version number" },
  { text: "OID 1.2.3.4.5", expected: [], note: "five parts" },
  { text: "01.02.03.04", expected: [], note: "leading zeros (octal ambiguity)" },
  { text: "scores 1.2.3", expected: [], note: "three parts" },
  {
    text: "Server 172.16.254.1 and gateway 172.16.254.254",
    expected: [
      ["ipv4", "172.16.254.1"],
      ["ipv4", "172.16.254.254"],
    ],
  },
  { text: "Version 10.0.19041.1 of Windows", expected: [], note: "a version number" },
  // IPv6
  { text: "host 2001:db8::8a2e:370:7334 up", expected: [["ipv6", "2001:db8::8a2e:370:7334"]] },
  { text: "link fe80::1.", expected: [["ipv6", "fe80::1"]] },
  {
    text: "full 2001:0db8:85a3:0000:0000:8a2e:0370:7334",
    expected: [["ipv6", "2001:0db8:85a3:0000:0000:8a2e:0370:7334"]],
  },
  { text: "mapped ::ffff:192.0.2.128", expected: [["ipv6", "::ffff:192.0.2.128"]] },
  { text: "at 12:30:45 today", expected: [], note: "a time" },
  { text: "std::vector<int>", expected: [], note: "C++ scope" },
  { text: "2001:db8::1::2", expected: [], note: "two ::" },
  { text: "1:2:3:4:5:6:7:8:9", expected: [], note: "nine groups" },
  { text: "ratio 10:1:5", expected: [], note: "a ratio" },
  { text: "mac 00:1A:2B:3C:4D:5E", expected: [], note: "a MAC address: six groups" },
  // secrets
  {
    text: "OPENAI_API_KEY=sk-proj-Abc123Def456Ghi789Jkl012Mno",
    expected: [["secret", "sk-proj-Abc123Def456Ghi789Jkl012Mno"]],
  },
  { text: "aws AKIAIOSFODNN7EXAMPLE key", expected: [["secret", "AKIAIOSFODNN7EXAMPLE"]] },
  {
    text: "token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
    expected: [["secret", "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"]],
  },
  {
    text: "slack xoxb-123456789012-abcdefABCDEF",
    expected: [["secret", "xoxb-123456789012-abcdefABCDEF"]],
  },
  {
    text: "Bearer tnlp_Q2hlY2tTZWNyZXRBcGlLZXlGb3JUZXN0cw",
    expected: [["secret", "tnlp_Q2hlY2tTZWNyZXRBcGlLZXlGb3JUZXN0cw"]],
  },
  {
    text: "secret=q7Zx9Lm2Pw8Rt4Vb6Nc1Kd3Hf5Jg0SaYe",
    expected: [["secret", "q7Zx9Lm2Pw8Rt4Vb6Nc1Kd3Hf5Jg0SaYe"]],
  },
  {
    text: "commit 3f786850e387550fdab836ed7e6dc881de23001b",
    expected: [],
    note: "a git SHA: hex, at most 4 bits/char",
  },
  { text: "id 550e8400-e29b-41d4-a716-446655440000", expected: [], note: "a UUID" },
  { text: "the skill sk-learn is a library", expected: [], note: "sk- without a key body" },
  { text: "Pneumonoultramicroscopicsilicovolcanoconiosis", expected: [], note: "a long word" },
  { text: "path /usr/local/lib/node_modules/typescript/lib", expected: [], note: "a path" },
  { text: "AKIA1234", expected: [], note: "prefix without a key body" },
  {
    text: "key AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW",
    expected: [["secret", "AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW"]],
  },
  {
    text: "Stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    expected: [["secret", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"]],
  },
  {
    text: "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    expected: [],
    note: "a digest",
  },
  {
    text: "SSN-like 123456789 bare",
    expected: [],
    note: "bare nine digits: not flagged by decision",
  },
  // mixed and negatives
  {
    text: "Mail bob@example.org or call +1 415 555 2671; card 4111111111111111.",
    expected: [
      ["email", "bob@example.org"],
      ["phone", "+1 415 555 2671"],
      ["card", "4111111111111111"],
    ],
  },
  { text: "The quick brown fox jumps over the lazy dog.", expected: [] },
  { text: "In 1999 we sold 12,345 units at $19.99 each.", expected: [] },
  { text: "Chapter 3.1.4 covers π ≈ 3.14159 and e ≈ 2.71828.", expected: [] },
];
