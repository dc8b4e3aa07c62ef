import PurserWire

/// libFuzzer entry point for the protobuf decoder, through real API messages.
///
/// The first byte picks the message type; the rest is decoded as that message.
/// Guarantees checked: no trap, no memory error, and a message that decodes
/// re-serializes to bytes that decode to an equal message.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWireDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let body = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    switch data[0] % 6 {
    case 0: roundTrip(AuthorizeRequest.self, body)
    case 1: roundTrip(AuthorizeResponse.self, body)
    case 2: roundTrip(CaptureRequest.self, body)
    case 3: roundTrip(RefundRequest.self, body)
    case 4: roundTrip(Agent.self, body)
    default: roundTrip(CreateAgentRequest.self, body)
    }
    return 0
}

private func roundTrip<M: WireMessage>(_ type: M.Type, _ bytes: UnsafeRawBufferPointer) {
    guard let message = try? M(serializedBytes: bytes) else { return }
    let again = message.serializedBytes()
    guard let decoded = try? M(serializedBytes: again), decoded == message else {
        preconditionFailure("\(M.self) did not survive re-serialization")
    }
}
