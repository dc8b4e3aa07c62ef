import Foundation
import Testing
@testable import PurserEmail

@Suite struct MailMessageTests {
    private func parse(_ text: String) -> MailMessage { MailMessage(parsing: Array(text.utf8)) }

    @Test func summaryHeadersAreReadAndFoldedHeadersUnfolded() {
        let message = parse(
            "From: Alice <alice@example.org>\r\nTo: agent-7@purser.test\r\nSubject: a long\r\n\tfolded subject\r\n"
                + "Date: Sat, 21 Nov 2026 12:00:00 +0000\r\nMessage-ID: <abc@example.org>\r\n\r\nHello\r\nthere\r\n")
        #expect(message.from == "Alice <alice@example.org>")
        #expect(message.to == "agent-7@purser.test")
        #expect(message.subject == "a long folded subject")
        #expect(message.date == "Sat, 21 Nov 2026 12:00:00 +0000")
        #expect(message.messageID == "<abc@example.org>")
        #expect(message.plainText == "Hello\nthere\n")
        #expect(message.headers.count == 5)
        #expect(message.size == 178)
    }

    @Test(arguments: [
        ("=?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4g4pyT?=", "Grüße aus Köln ✓"),
        ("=?ISO-8859-1?Q?Caf=E9_cr=E8me?=", "Café crème"),
        ("=?iso-8859-1?q?Caf=e9?= au lait", "Café au lait"),
        ("=?UTF-8?Q?a?= =?UTF-8?Q?b?=", "ab"),
        ("=?UTF-8?Q?a?= x =?UTF-8?Q?b?=", "a x b"),
        ("Re: =?utf-8?b?w6k=?=!", "Re: é!"),
        ("=?UTF-8*en?Q?hi?=", "hi"),
        ("=?windows-1252?Q?=80_5?=", "€ 5"),
        ("=?x-unknown?Q?abc?=", "=?x-unknown?Q?abc?="),
        ("=?UTF-8?X?abc?=", "=?UTF-8?X?abc?="),
        ("=?UTF-8?Q?unterminated", "=?UTF-8?Q?unterminated"),
        ("plain = ? text", "plain = ? text"),
    ])
    func encodedWordsAreDecoded(encoded: String, decoded: String) {
        #expect(parse("Subject: \(encoded)\r\n\r\n").subject == decoded)
    }

    @Test func hostileHeadersFullOfUnterminatedEncodedWordsComeBackAsSent() {
        let withinLimit = String(repeating: "=?utf-8?Q?ab", count: 1300)
        #expect(EncodedWords.decode(withinLimit) == withinLimit)
        let overLimit = String(repeating: "=?utf-8?Q?a?=", count: 2000)
        #expect(EncodedWords.decode(overLimit) == overLimit)
        #expect(EncodedWords.decode(String(repeating: "=?utf-8?Q?a?=", count: 100)) == String(repeating: "a", count: 100))
    }

    @Test func encodedFromIsDecoded() {
        #expect(parse("From: =?ISO-8859-1?Q?J=FCrgen?= <j@example.org>\r\n\r\n").from == "Jürgen <j@example.org>")
    }

    @Test func latin1HeaderBytesAreReadAsLatin1() {
        let raw: [UInt8] = Array("Subject: Caf".utf8) + [0xE9] + Array("\r\n\r\nx".utf8)
        #expect(MailMessage(parsing: raw).subject == "Café")
    }

    @Test func quotedPrintablePlainPartIsExtractedFromMultipartAlternative() {
        let message = parse(
            """
            From: a@example.org\r
            Content-Type: multipart/alternative; boundary="b1=_x"\r
            \r
            This is a multi-part message.\r
            --b1=_x\r
            Content-Type: text/plain; charset=UTF-8\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            Gr=C3=BC=C3=9Fe, the payment of 5=2E00 is=\r
             confirmed.\r
            --b1=_x\r
            Content-Type: text/html\r
            \r
            <p>html</p>\r
            --b1=_x--\r
            epilogue\r

            """)
        #expect(message.plainText == "Grüße, the payment of 5.00 is confirmed.")
    }

    @Test func plainPartIsFoundInNestedMultipartAndAttachmentsAreSkipped() {
        let message = parse(
            """
            Content-Type: multipart/mixed; boundary=outer\r
            \r
            --outer\r
            Content-Type: text/plain; name="notes.txt"\r
            Content-Disposition: attachment; filename="notes.txt"\r
            \r
            attached file\r
            --outer\r
            Content-Type: multipart/alternative; boundary="inner"\r
            \r
            --inner\r
            Content-Type: text/html\r
            \r
            <b>x</b>\r
            --inner\r
            Content-Type: text/plain; charset=iso-8859-1\r
            Content-Transfer-Encoding: base64\r
            \r
            SGFsbG8gSvxyZ2VuLCBkaWUg\r
            WmFobHVuZyBpc3QgZGEu\r
            --inner--\r
            --outer--\r

            """)
        #expect(message.plainText == "Hallo Jürgen, die Zahlung ist da.")
    }

    @Test func htmlOnlyMessageHasNoPlainText() {
        #expect(parse("Content-Type: text/html\r\n\r\n<p>x</p>").plainText == nil)
        #expect(parse("Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n<p/>\r\n--b--\r\n").plainText == nil)
    }

    @Test func untypedBodyIsTheText() {
        #expect(parse("Subject: x\r\n\r\nline one\r\nline two").plainText == "line one\nline two")
        #expect(parse("Content-Type: text/plain; charset=\"ISO-8859-1\"\r\n\r\n").plainText == "")
    }

    @Test func malformedMimeFallsBackToTheRawBody() {
        #expect(parse("Content-Type: multipart/mixed\r\n\r\nno boundary here").plainText == "no boundary here")
        #expect(parse("Content-Type: multipart/mixed; boundary=zz\r\n\r\nno delimiter").plainText == "no delimiter")
        #expect(parse("Content-Type: garbage\r\n\r\nbody").plainText == "body")
        #expect(
            parse("Content-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\nContent-Type: text/plain\r\n\r\nunterminated")
                .plainText == "unterminated")
    }

    @Test func messageWithoutHeadersIsAllBody() {
        let message = parse("just some text\r\nwith: a colon later\r\n")
        #expect(message.headers.isEmpty)
        #expect(message.plainText == "just some text\nwith: a colon later\n")
    }

    @Test func quotedPrintableDecoderIsLenient() {
        func decode(_ text: String) -> String {
            String(decoding: TransferEncoding.decodeQuotedPrintable(Array(text.utf8)[...]), as: UTF8.self)
        }
        #expect(decode("a=3Db") == "a=b")
        #expect(decode("a=3db") == "a=b")
        #expect(decode("soft=\nbreak") == "softbreak")
        #expect(decode("soft=  \r\nbreak") == "softbreak")
        #expect(decode("bad=ZZ=") == "bad=ZZ")
        #expect(decode("=4") == "=4")
    }

    @Test func base64DecoderSkipsLineBreaksAndToleratesMissingPadding() {
        func decode(_ text: String) -> String {
            String(decoding: TransferEncoding.decodeBase64(Array(text.utf8)[...]), as: UTF8.self)
        }
        #expect(decode("aGVs\r\nbG8=") == "hello")
        #expect(decode("aGVsbG8") == "hello")
        #expect(decode("") == "")
        #expect(decode("!!!!") == "")
    }
}

/// Header values the service stores and lists never carry control characters:
/// an outside sender must not be able to forge lines in an inbox listing or hand
/// an agent a header-injection string through an encoded word or raw bytes.
@Suite struct HeaderControlCharacterTests {
    private func parse(_ text: String) -> MailMessage { MailMessage(parsing: Array(text.utf8)) }

    /// `=?utf-8?b?…?=` of `text`.
    private func encodedWord(_ text: String) -> String {
        "=?utf-8?b?" + Data(text.utf8).base64EncodedString() + "?="
    }

    @Test func anEncodedSubjectWithCRLFIsStoredOnOneLine() {
        let message = parse("Subject: \(encodedWord("hi\r\nBcc: victim@x"))\r\n\r\nbody\r\n")
        #expect(message.subject == "hi Bcc: victim@x")
    }

    @Test(arguments: [
        ("NUL", "a\u{0}b"), ("bell", "a\u{7}b"), ("tab", "a\tb"), ("escape", "a\u{1B}[31mb"), ("DEL", "a\u{7F}b"),
        ("NEL (C1)", "a\u{85}b"), ("CSI (C1)", "a\u{9B}b"), ("line separator", "a\u{2028}b"),
        ("paragraph separator", "a\u{2029}b"), ("bare CR", "a\rb"), ("bare LF", "a\nb"), ("a run", "a\r\n\r\n\u{0}b"),
    ])
    func everyControlCharacterInADecodedHeaderBecomesOneSpace(name: String, text: String) {
        let word = encodedWord(text)
        let message = parse("From: \(word) <x@example.org>\r\nTo: \(word)\r\nSubject: \(word)\r\n\r\n")
        let expected = text.hasPrefix("a\u{1B}") ? "a [31mb" : "a b"
        #expect(message.subject == expected, "\(name)")
        #expect(message.to == expected, "\(name)")
        #expect(message.from == expected + " <x@example.org>", "\(name)")
    }

    @Test func rawControlBytesInStoredHeadersAreReplaced() {
        let raw: [UInt8] = Array("Subject: one".utf8) + [0x1B] + Array("two\r\nMessage-ID: <a".utf8) + [0x07]
            + Array("b@x>\r\nDate: Mon,".utf8) + [0x00] + Array("1 Jan\r\nX-Other: p".utf8) + [0x7F]
            + Array("q\r\n\r\nbody".utf8)
        let message = MailMessage(parsing: raw)
        #expect(message.subject == "one two")
        #expect(message.messageID == "<a b@x>")
        #expect(message.date == "Mon, 1 Jan")
        #expect(message.headers.map(\.value) == ["one two", "<a b@x>", "Mon, 1 Jan", "p q"])
    }

    @Test func printableTextIsKeptAsSent() {
        let text = "Grüße — 日本語 ✓ \"quoted\" <tag> & 100%"
        #expect(parse("Subject: \(encodedWord(text))\r\n\r\n").subject == text)
        #expect(parse("Subject: \(text)\r\n\r\n").subject == text)
    }
}
