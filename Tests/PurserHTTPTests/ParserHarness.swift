import PurserHTTP

/// What a parser made of a byte stream: each message's head, its body
/// (pieces concatenated, so chunk boundaries do not matter), its trailers,
/// and the error that stopped it, if any.
struct ParsedStream<Head: Equatable>: Equatable {
    struct Message: Equatable {
        var head: Head
        var body: [UInt8] = []
        var trailers: HTTPHeaders?
    }

    var messages: [Message] = []
    var error: HTTPParseError?
}

/// Feeds `bytes` to a fresh request parser in the pieces `splits` cuts them
/// into (offsets), pulling every event after each piece.
func parseRequests(_ bytes: [UInt8], splits: [Int] = [], maximumHeadSize: Int = 16 * 1024) -> ParsedStream<HTTPRequestHead> {
    var parser = HTTPRequestParser(maximumHeadSize: maximumHeadSize)
    var result = ParsedStream<HTTPRequestHead>()
    var start = 0
    for end in splits + [bytes.count] where end >= start {
        parser.append(contentsOf: bytes[start..<end])
        start = end
        do {
            while let event = try parser.next() {
                switch event {
                case .head(let head): result.messages.append(.init(head: head))
                case .body(let piece):
                    precondition(!piece.isEmpty, "a body event carried no bytes")
                    result.messages[result.messages.count - 1].body += piece
                case .end(let trailers): result.messages[result.messages.count - 1].trailers = trailers
                }
            }
        } catch {
            result.error = error
            return result
        }
    }
    return result
}

/// Like `parseRequests`, for responses answering `methods` in order; `closed`
/// tells the parser the connection ended after the last byte.
func parseResponses(_ bytes: [UInt8], methods: [String], splits: [Int] = [], closed: Bool = false) -> ParsedStream<HTTPResponseHead> {
    var parser = HTTPResponseParser()
    var result = ParsedStream<HTTPResponseHead>()
    var pending = methods
    if let first = pending.first { parser.expectResponse(toMethod: first) }
    func handle(_ event: HTTPResponseParser.Event) {
        switch event {
        case .head(let head): result.messages.append(.init(head: head))
        case .body(let piece): result.messages[result.messages.count - 1].body += piece
        case .end(let trailers):
            result.messages[result.messages.count - 1].trailers = trailers
            pending.removeFirst()
            if let next = pending.first { parser.expectResponse(toMethod: next) }
        }
    }
    var start = 0
    do {
        for end in splits + [bytes.count] where end >= start {
            parser.append(contentsOf: bytes[start..<end])
            start = end
            while let event = try parser.next() { handle(event) }
        }
        if closed, let event = try parser.finish() { handle(event) }
    } catch {
        result.error = error
    }
    return result
}

/// Every way the tests cut a stream: whole, in two at every offset, and one byte at a time.
func everySplit(of count: Int) -> [[Int]] {
    [[]] + (0...count).map { [$0] } + [Array(0...count)]
}

extension Array where Element == UInt8 {
    init(_ text: String) { self = Array(text.utf8) }
}
