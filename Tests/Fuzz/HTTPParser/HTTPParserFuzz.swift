/// libFuzzer entry point for the HTTP/1.1 request and response parsers.
///
/// Parses the input (after its first byte) whole, and again cut in two at an
/// offset chosen by the first byte, pulling every event. Guarantees checked:
/// no trap, no memory error, no empty body piece, and the same events and
/// error whichever way the bytes were split.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPParser(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let input = Array(bytes[1...])
    let split = min(Int(bytes[0]) * 17 % (input.count + 1), input.count)
    let whole = requestEvents(input, splits: [])
    let cut = requestEvents(input, splits: [split, min(split + 1, input.count)])
    guard whole == cut else { preconditionFailure("request parse depends on the split at \(split): \(whole) vs \(cut)") }
    let wholeResponse = responseEvents(input, splits: [])
    let cutResponse = responseEvents(input, splits: [split])
    guard wholeResponse == cutResponse else { preconditionFailure("response parse depends on the split at \(split)") }
    return 0
}

/// Events as comparable text, body pieces merged (their boundaries may differ by split).
private func requestEvents(_ input: [UInt8], splits: [Int]) -> [String] {
    var parser = HTTPRequestParser(maximumHeadSize: 1024)
    var events: [String] = []
    var body: [UInt8] = []
    var start = 0
    for end in splits + [input.count] where end >= start {
        parser.append(contentsOf: input[start..<end])
        start = end
        do {
            while let event = try parser.next() {
                switch event {
                case .head(let head): events.append("head \(head)")
                case .body(let piece):
                    precondition(!piece.isEmpty, "empty body piece")
                    body += piece
                case .end(let trailers):
                    events.append("body \(body) end \(trailers)")
                    body = []
                }
            }
        } catch {
            events.append("error \(error)")
            return events
        }
    }
    events.append("pending \(body)")
    return events
}

private func responseEvents(_ input: [UInt8], splits: [Int]) -> [String] {
    var parser = HTTPResponseParser(maximumHeadSize: 1024)
    parser.expectResponse(toMethod: "GET")
    var events: [String] = []
    var body: [UInt8] = []
    var start = 0
    do {
        for end in splits + [input.count] where end >= start {
            parser.append(contentsOf: input[start..<end])
            start = end
            while let event = try parser.next() {
                switch event {
                case .head(let head): events.append("head \(head)")
                case .body(let piece): body += piece
                case .end(let trailers):
                    events.append("body \(body) end \(trailers)")
                    body = []
                    parser.expectResponse(toMethod: "GET")
                }
            }
        }
        if let event = try parser.finish() { events.append("finish \(event) \(body)") }
    } catch {
        events.append("error \(error)")
    }
    return events
}
