import PurserHTTP
import Testing

@Suite struct HTTPResponseParserTests {
    private func parsedAtEverySplit(_ text: String, methods: [String], closed: Bool = false) -> ParsedStream<HTTPResponseHead> {
        let bytes = [UInt8](text)
        let whole = parseResponses(bytes, methods: methods, closed: closed)
        for splits in everySplit(of: bytes.count) {
            let split = parseResponses(bytes, methods: methods, splits: splits, closed: closed)
            #expect(split == whole, "split \(splits.count > 1 ? "at every byte" : "\(splits)") differs")
            if split != whole { break }
        }
        return whole
    }

    @Test func lengthChunkedAndBodylessResponsesFollowEachOther() throws {
        let parsed = parsedAtEverySplit(
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: 1\r\n\r\n"
                + "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
            methods: ["GET", "POST", "DELETE", "HEAD"])
        #expect(parsed.error == nil)
        #expect(parsed.messages.map(\.head.status.code) == [200, 201, 204, 200])
        #expect(parsed.messages.map(\.body) == [[UInt8]("ok"), [UInt8]("abc"), [], []])
        #expect(parsed.messages[1].trailers == ["T": "1"])
        #expect(parsed.messages.allSatisfy { $0.trailers != nil })
    }

    @Test func interimResponsesPrecedeTheFinalOne() {
        let parsed = parsedAtEverySplit("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", methods: ["PUT"])
        #expect(parsed.error == nil)
        #expect(parsed.messages.map(\.head.status.code) == [100, 200])
        #expect(parsed.messages.last?.body == [UInt8]("x"))
    }

    @Test func aBodyWithoutLengthEndsWithTheConnection() {
        let parsed = parsedAtEverySplit("HTTP/1.0 200 OK\r\nX: y\r\n\r\nall of it", methods: ["GET"], closed: true)
        #expect(parsed.error == nil)
        #expect(parsed.messages.first?.body == [UInt8]("all of it"))
        #expect(parsed.messages.first?.trailers == HTTPHeaders())
        #expect(parsed.messages.first?.head.keepAlive == false)
    }

    @Test func aResponseCutShortIsAnError() {
        let parsed = parsedAtEverySplit("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", methods: ["GET"], closed: true)
        #expect(parsed.error == HTTPParseError(.badRequest, "truncated_response"))
    }

    @Test(arguments: [
        ("HTTP/1.1 2000 OK\r\n\r\n", "invalid_status_line"),
        ("HTTP/1.1 099 Low\r\n\r\n", "invalid_status_line"),
        ("HTTP/3.0 200 OK\r\n\r\n", "unsupported_http_version"),
        ("HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", "bare_line_feed"),
        ("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", "content_length_with_transfer_encoding"),
        ("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "conflicting_content_length"),
    ])
    func malformedResponsesAreRejected(input: String, reason: String) {
        let parsed = parsedAtEverySplit(input, methods: ["GET"])
        #expect(parsed.error?.reason == reason)
    }
}
