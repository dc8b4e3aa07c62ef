/// libFuzzer entry point for the `purser/1` frame decoder.
///
/// Feeds the input to a `FrameDecoder` in two splits chosen by the first byte,
/// pulling frames until the decoder needs more bytes or rejects the stream.
/// Guarantees checked: no trap, no memory error, and every decoded frame
/// re-encodes to bytes that decode to the same frame.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrameDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let split = min(Int(bytes[0]), size - 1) + 1
    var decoder = FrameDecoder(maximumFrameSize: 64 * 1024)
    decoder.append(contentsOf: bytes[1..<split])
    var frames: [Frame] = []
    do {
        while let frame = try decoder.next() { frames.append(frame) }
        decoder.append(contentsOf: bytes[split...])
        while let frame = try decoder.next() { frames.append(frame) }
    } catch {
        return 0
    }
    for frame in frames {
        var again = FrameDecoder(maximumFrameSize: 64 * 1024)
        guard let encoded = try? frame.encoded(maximumSize: 64 * 1024) else {
            preconditionFailure("a decoded frame could not be encoded: \(frame)")
        }
        again.append(contentsOf: encoded)
        guard let decoded = try? again.next(), decoded == frame else {
            preconditionFailure("frame did not survive re-encoding: \(frame)")
        }
    }
    return 0
}
