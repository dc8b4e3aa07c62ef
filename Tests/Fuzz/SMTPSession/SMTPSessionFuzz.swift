/// libFuzzer entry point for the SMTP session state machine.
///
/// The input is fed as a client's byte stream, in chunks whose sizes come from
/// the input itself; recipient lookups and deliveries are answered from the
/// input too, so every branch of the session is reachable.
/// Guarantees checked: no trap, no memory error, the session never asks to
/// deliver a message larger than its configured limit, and once it closes it
/// asks for nothing more.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSMTPSession(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 1 else { return 0 }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let configuration = SMTPConfiguration(
        hostname: "mx.fuzz.test", maxMessageSize: 2048, maxRecipients: 4, maxCommandLineLength: 256,
        maxErrors: 5, maxPendingInput: 4096, startTLSAvailable: bytes[0] & 1 == 1)
    var session = SMTPSession(configuration: configuration)
    var pending = session.start()
    var offset = 1
    var closed = false
    while offset < size || !pending.isEmpty {
        if pending.isEmpty {
            let chunk = Int(bytes[offset] % 64) + 1
            let end = min(size, offset + 1 + chunk)
            pending = session.receive(bytes[min(offset + 1, end)..<end])
            offset = end
            continue
        }
        let action = pending.removeFirst()
        precondition(!closed, "the session acted after closing: \(action)")
        switch action {
        case .reply:
            break
        case .checkRecipient:
            let verdicts: [SMTPSession.RecipientVerdict] = [.accepted, .unknown, .disabled, .temporarilyUnavailable, .lookupFailed]
            pending += session.recipientChecked(verdicts[offset % verdicts.count])
        case .deliver(_, let message):
            precondition(message.count <= configuration.maxMessageSize, "delivered \(message.count) bytes over the limit")
            pending += session.deliveryFinished(offset % 3 == 0 ? .failed : .stored(reference: "fuzz"))
        case .startTLS:
            break
        case .close:
            closed = true
        }
        if closed && !pending.isEmpty { preconditionFailure("actions after close: \(pending)") }
        if closed { return 0 }
    }
    return 0
}
