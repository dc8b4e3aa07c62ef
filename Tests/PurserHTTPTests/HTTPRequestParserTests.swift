import PurserHTTP
import Testing

@Suite struct HTTPRequestParserTests {
    /// Asserts the stream parses the same at every split and returns that result.
    private func parsedAtEverySplit(_ text: String, maximumHeadSize: Int = 16 * 1024) -> ParsedStream<HTTPRequestHead> {
        let bytes = [UInt8](text)
        let whole = parseRequests(bytes, maximumHeadSize: maximumHeadSize)
        for splits in everySplit(of: bytes.count) {
            let split = parseRequests(bytes, splits: splits, maximumHeadSize: maximumHeadSize)
            #expect(split == whole, "split at \(splits.count > 1 ? "every byte" : "\(splits)") differs")
            if split != whole { break }
        }
        return whole
    }

    @Test func aSimpleGetIsOneHeadAndAnEmptyBody() throws {
        let parsed = parsedAtEverySplit("GET /v1/x?y=1 HTTP/1.1\r\nHost: example\r\nAccept:  */* \r\n\r\n")
        #expect(parsed.error == nil)
        let message = try #require(parsed.messages.first)
        #expect(message.head.method == "GET")
        #expect(message.head.target == "/v1/x?y=1")
        #expect(message.head.path == "/v1/x")
        #expect(message.head.query == "y=1")
        #expect(message.head.headers["accept"] == "*/*")
        #expect(message.head.framing == HTTPBodyFraming.none)
        #expect(message.head.keepAlive)
        #expect(message.body.isEmpty)
        #expect(message.trailers == HTTPHeaders())
    }

    @Test func aContentLengthBodyIsDeliveredWhole() throws {
        let parsed = parsedAtEverySplit("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world")
        #expect(parsed.error == nil)
        #expect(parsed.messages.map(\.body) == [[UInt8]("hello world")])
        #expect(parsed.messages.first?.head.framing == .length(11))
    }

    @Test func aChunkedBodyWithExtensionsAndTrailersIsDecoded() throws {
        let parsed = parsedAtEverySplit(
            "POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n5;name=value\r\nhello\r\n6 ; x\r\n world\r\n0\r\nDigest: abc\r\nX-Other: 1\r\n\r\n")
        #expect(parsed.error == nil)
        let message = try #require(parsed.messages.first)
        #expect(message.head.framing == .chunked)
        #expect(message.body == [UInt8]("hello world"))
        #expect(message.trailers == ["Digest": "abc", "X-Other": "1"])
    }

    @Test func pipelinedRequestsComeOutInOrder() {
        let parsed = parsedAtEverySplit(
            "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcPOST /3 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\nGET /4 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
        #expect(parsed.error == nil)
        #expect(parsed.messages.map(\.head.target) == ["/1", "/2", "/3", "/4"])
        #expect(parsed.messages.map(\.body) == [[], [UInt8]("abc"), [UInt8]("z"), []])
        #expect(parsed.messages.map(\.head.keepAlive) == [true, true, true, false])
    }

    @Test func emptyLinesBeforeARequestAreIgnored() {
        let parsed = parsedAtEverySplit("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(parsed.error == nil)
        #expect(parsed.messages.count == 1)
    }

    @Test func expectContinueIsReportedForHTTP11Only() {
        let eleven = parsedAtEverySplit("PUT /u HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nx")
        #expect(eleven.messages.first?.head.expectsContinue == true)
        let ten = parsedAtEverySplit("PUT /u HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx")
        #expect(ten.messages.first?.head.expectsContinue == false)
        #expect(ten.messages.first?.head.keepAlive == false)
    }

    @Test func identicalRepeatedContentLengthsAreOneLength() {
        let parsed = parsedAtEverySplit("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 2, 2\r\n\r\nab")
        #expect(parsed.error == nil)
        #expect(parsed.messages.first?.body == [UInt8]("ab"))
    }

    /// Request smuggling and malformed input: each is refused with its exact status and reason, at every split.
    @Test(arguments: [
        ("GET / HTTP/1.1\nHost: h\r\n\r\n", 400, "bare_line_feed"),
        ("GET / HTTP/1.1\r\nHost: h\n\r\n", 400, "bare_line_feed"),
        ("\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", 400, "bare_line_feed"),
        ("GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n", 400, "bare_carriage_return"),
        ("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", 400, "obsolete_line_folding"),
        ("GET / HTTP/1.1\r\nHost: h\r\n\tb\r\n\r\n", 400, "obsolete_line_folding"),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "content_length_with_transfer_encoding"),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n", 400, "content_length_with_transfer_encoding"),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400, "conflicting_content_length"),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 4\r\n\r\nabcd", 400, "conflicting_content_length"),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +3\r\n\r\nabc", 400, "invalid_content_length"),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3a\r\n\r\nabc", 400, "invalid_content_length"),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: \r\n\r\n", 400, "invalid_content_length"),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n", 413, "content_too_large"),
        ("GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400, "invalid_header_name"),
        ("GET / HTTP/1.1\r\nHo(st: h\r\n\r\n", 400, "invalid_header_name"),
        ("GET / HTTP/1.1\r\n: h\r\n\r\n", 400, "invalid_header_name"),
        ("GET / HTTP/1.1\r\nHost h\r\n\r\n", 400, "invalid_header_line"),
        ("GET / HTTP/1.1\r\nHost: h\r\nX: a\u{01}b\r\n\r\n", 400, "invalid_header_value"),
        ("GET / HTTP/1.1\r\nHost: h\r\nX: a\u{00}b\r\n\r\n", 400, "invalid_header_value"),
        ("GET / HTTP/1.1\r\nHost: h\r\nX: a\u{7F}\r\n\r\n", 400, "invalid_header_value"),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, "unsupported_transfer_coding"),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", 400, "chunked_not_final"),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, identity\r\n\r\n", 400, "chunked_not_final"),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "chunked_applied_twice"),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: ,\r\n\r\n", 400, "invalid_transfer_encoding"),
        ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "transfer_encoding_in_http10"),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, "invalid_chunk_size"),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", 400, "invalid_chunk_size"),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\n", 400, "invalid_chunk_size"),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", 400, "invalid_chunk_size"),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\n", 400, "invalid_chunk_size"),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n", 400, "invalid_chunk_size"),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello", 400, "bare_line_feed"),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1;a\u{01}\r\n", 400, "invalid_chunk_extension"),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n", 400, "invalid_chunk_terminator"),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\r", 400, "invalid_chunk_terminator"),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBad Trailer: x\r\n\r\n", 400, "invalid_header_name"),
        ("GET / HTTP/1.1\r\n\r\n", 400, "missing_host"),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "duplicate_host"),
        ("GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505, "unsupported_http_version"),
        ("GET / HTTP/1.12\r\nHost: h\r\n\r\n", 400, "invalid_request_line"),
        ("GET / http/1.1\r\nHost: h\r\n\r\n", 400, "invalid_request_line"),
        ("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400, "invalid_request_line"),
        ("GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", 400, "invalid_request_line"),
        ("G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400, "invalid_request_line"),
        ("GET /\u{7F} HTTP/1.1\r\nHost: h\r\n\r\n", 400, "invalid_request_line"),
        ("GET / HTTP/1.1\r\nHost: h\r\nExpect: something-else\r\n\r\n", 417, "unsupported_expectation"),
    ])
    func malformedRequestsAreRefused(input: String, status: Int, reason: String) {
        let parsed = parsedAtEverySplit(input)
        #expect(parsed.error?.status.code == status)
        #expect(parsed.error?.reason == reason)
    }

    @Test func anOverlongRequestLineIs414AndAnOverlargeHeaderBlock431() {
        let limit = 256
        let line = "GET /" + String(repeating: "a", count: limit) + " HTTP/1.1\r\nHost: h\r\n\r\n"
        let parsedLine = parsedAtEverySplit(line, maximumHeadSize: limit)
        #expect(parsedLine.error == HTTPParseError(.uriTooLong, "request_line_too_long"))
        let headers = "GET / HTTP/1.1\r\nHost: h\r\n" + String(repeating: "X-Filler: 0123456789\r\n", count: 20) + "\r\n"
        let parsedHeaders = parsedAtEverySplit(headers, maximumHeadSize: limit)
        #expect(parsedHeaders.error == HTTPParseError(.requestHeaderFieldsTooLarge, "header_block_too_large"))
        let fits = parsedAtEverySplit(headers, maximumHeadSize: headers.utf8.count)
        #expect(fits.error == nil)
        #expect(fits.messages.count == 1)
    }

    @Test func theDefaultHeadLimitIs16KiB() {
        let filler = String(repeating: "X-Filler: " + String(repeating: "b", count: 90) + "\r\n", count: 170)
        let parsed = parseRequests([UInt8]("GET / HTTP/1.1\r\nHost: h\r\n" + filler + "\r\n"))
        #expect(parsed.error == HTTPParseError(.requestHeaderFieldsTooLarge, "header_block_too_large"))
    }

    @Test func anErrorIsFinal() {
        var parser = HTTPRequestParser()
        parser.append(contentsOf: [UInt8]("GET / HTTP/1.1\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"))
        #expect(throws: HTTPParseError(.badRequest, "bare_line_feed")) { try parser.next() }
        #expect(throws: HTTPParseError(.badRequest, "bare_line_feed")) { try parser.next() }
    }
}
