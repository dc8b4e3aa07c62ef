import Testing
@testable import PurserRPC

@Suite struct FrameDecoderTests {
    static let sampleFrames: [Frame] = [
        .request(stream: 1, method: "purser.wallet.v1.Wallet/Authorize", timeoutMilliseconds: 250,
                 metadata: ["authorization": "Bearer abc", "idempotency-key": "k-1"], message: [1, 2, 3, 4]),
        .response(stream: 1, status: .ok, statusMessage: "", metadata: [:], message: [9, 8, 7]),
        .response(stream: 7, status: .failedPrecondition, statusMessage: "insufficient funds, €",
                  metadata: ["reason": "insufficient_funds"], message: []),
        .cancel(stream: 3),
        .ping(0x0102_0304_0506_0708),
        .pong(0xFFEE_DDCC_BBAA_9988),
        .goAway(lastStream: 41, status: .unavailable, message: "draining"),
    ]

    static func encodeAll(_ frames: [Frame]) throws -> [UInt8] {
        var bytes: [UInt8] = []
        for frame in frames { try frame.encode(into: &bytes) }
        return bytes
    }

    static func decodeAll(_ decoder: inout FrameDecoder) throws -> [Frame] {
        var frames: [Frame] = []
        while let frame = try decoder.next() { frames.append(frame) }
        return frames
    }

    @Test(arguments: sampleFrames)
    func everyFrameTypeRoundTrips(frame: Frame) throws {
        var decoder = FrameDecoder()
        decoder.append(contentsOf: try frame.encoded())
        #expect(try decoder.next() == frame)
        #expect(try decoder.next() == nil)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func coalescedFramesDecodeInOrderFromOneRead() throws {
        var decoder = FrameDecoder()
        decoder.append(contentsOf: try Self.encodeAll(Self.sampleFrames))
        #expect(try Self.decodeAll(&decoder) == Self.sampleFrames)
    }

    @Test func framesSplitAtEveryByteBoundaryDecodeIdentically() throws {
        let bytes = try Self.encodeAll(Self.sampleFrames)
        for split in 0...bytes.count {
            var decoder = FrameDecoder()
            decoder.append(contentsOf: bytes[..<split])
            var frames = try Self.decodeAll(&decoder)
            decoder.append(contentsOf: bytes[split...])
            frames += try Self.decodeAll(&decoder)
            #expect(frames == Self.sampleFrames, "split at \(split)")
        }
    }

    @Test func framesFedOneByteAtATimeDecodeIdentically() throws {
        let bytes = try Self.encodeAll(Self.sampleFrames)
        var decoder = FrameDecoder()
        var frames: [Frame] = []
        for byte in bytes {
            decoder.append(contentsOf: CollectionOfOne(byte))
            frames += try Self.decodeAll(&decoder)
        }
        #expect(frames == Self.sampleFrames)
    }

    @Test func wireLayoutMatchesTheDesign() throws {
        let bytes = try Frame.request(stream: 0x0A0B_0C0D, method: "a/b", timeoutMilliseconds: 5,
                                      metadata: ["k": "v"], message: [0xAA]).encoded()
        let expected: [UInt8] = [0, 0, 0, 25, 1, 0, 0, 0, 0x0A, 0x0B, 0x0C, 0x0D,
                                 0, 3, 0x61, 0x2F, 0x62, 0, 0, 0, 5,
                                 0, 1, 1, 0x6B, 0, 1, 0x76, 0xAA]
        #expect(bytes == expected)
    }

    @Test func oversizedLengthIsRejectedBeforeTheBodyArrives() {
        var decoder = FrameDecoder(maximumFrameSize: 1024)
        decoder.append(contentsOf: [0, 0, 4, 1, 1, 0, 0, 0] as [UInt8])
        #expect(throws: FrameError(.frameTooLarge, "frame length 1025 exceeds the maximum of 1024")) { try decoder.next() }
    }

    @Test(arguments: [0, 1, 7] as [UInt8])
    func lengthBelowTheHeaderIsRejected(length: UInt8) {
        var decoder = FrameDecoder()
        decoder.append(contentsOf: [0, 0, 0, length] as [UInt8])
        #expect { try decoder.next() } throws: { ($0 as? FrameError)?.kind == .frameTooShort }
    }

    @Test(arguments: [0, 7, 200] as [UInt8])
    func unknownFrameTypeIsRejected(type: UInt8) {
        var decoder = FrameDecoder()
        decoder.append(contentsOf: [0, 0, 0, 8, type, 0, 0, 0, 0, 0, 0, 1] as [UInt8])
        #expect { try decoder.next() } throws: { ($0 as? FrameError)?.kind == .unknownFrameType }
    }

    @Test func methodWithInvalidUTF8IsRejected() throws {
        var bytes = try Frame.request(stream: 1, method: "ab", timeoutMilliseconds: 0, metadata: [:], message: []).encoded()
        bytes[14] = 0xC3  // lead byte without its continuation
        bytes[15] = 0x28
        var decoder = FrameDecoder()
        decoder.append(contentsOf: bytes)
        #expect { try decoder.next() } throws: { ($0 as? FrameError)?.kind == .invalidUTF8 }
    }

    @Test(arguments: ["Upper", "with space", "colon:", "", "é"])
    func metadataKeyOutsideTheAlphabetIsRejectedOnBothSides(key: String) throws {
        let frame = Frame.request(stream: 1, method: "m", timeoutMilliseconds: 0, metadata: Metadata([(key: key, value: "v")]), message: [])
        #expect { try frame.encoded() } throws: { ($0 as? FrameError)?.kind == .invalidMetadataKey }

        var valid = try Frame.request(stream: 1, method: "m", timeoutMilliseconds: 0, metadata: ["x": "v"], message: []).encoded()
        valid[22] = 0x41  // "x" -> "A"
        var decoder = FrameDecoder()
        decoder.append(contentsOf: valid)
        #expect { try decoder.next() } throws: { ($0 as? FrameError)?.kind == .invalidMetadataKey }
    }

    @Test func metadataOverEightKiBIsRejectedOnBothSides() throws {
        let big: Metadata = ["a": String(repeating: "x", count: 5000), "b": String(repeating: "y", count: 5000)]
        let frame = Frame.request(stream: 1, method: "m", timeoutMilliseconds: 0, metadata: big, message: [])
        #expect { try frame.encoded() } throws: { ($0 as? FrameError)?.kind == .metadataTooLarge }

        var bytes: [UInt8] = [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0x6D, 0, 0, 0, 0, 0, 2]
        for key in [UInt8(0x61), 0x62] {
            bytes += [1, key, 0x13, 0x88] + [UInt8](repeating: 0x7A, count: 5000)
        }
        let length = UInt32(bytes.count - 4)
        bytes[0] = UInt8(length >> 24); bytes[1] = UInt8(length >> 16 & 0xFF)
        bytes[2] = UInt8(length >> 8 & 0xFF); bytes[3] = UInt8(length & 0xFF)
        var decoder = FrameDecoder()
        decoder.append(contentsOf: bytes)
        #expect { try decoder.next() } throws: { ($0 as? FrameError)?.kind == .metadataTooLarge }
    }

    @Test func metadataJustUnderEightKiBIsAccepted() throws {
        let metadata: Metadata = ["a": String(repeating: "x", count: 8192 - 2 - 1 - 1 - 2)]
        let frame = Frame.request(stream: 1, method: "m", timeoutMilliseconds: 0, metadata: metadata, message: [])
        var decoder = FrameDecoder()
        decoder.append(contentsOf: try frame.encoded())
        #expect(try decoder.next() == frame)
    }

    @Test func truncatedFieldsInsideAFrameAreRejected() {
        var decoder = FrameDecoder()
        // REQUEST whose method length (0x00FF) runs past the end of the frame.
        decoder.append(contentsOf: [0, 0, 0, 10, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0xFF] as [UInt8])
        #expect { try decoder.next() } throws: { ($0 as? FrameError)?.kind == .truncatedBody }
    }

    @Test func statusAboveSixteenIsRejected() {
        var decoder = FrameDecoder()
        decoder.append(contentsOf: [0, 0, 0, 13, 2, 0, 0, 0, 0, 0, 0, 1, 17, 0, 0, 0, 0] as [UInt8])
        #expect { try decoder.next() } throws: { ($0 as? FrameError)?.kind == .invalidStatus }
    }

    @Test func pingMustCarryExactlyEightBytes() {
        var decoder = FrameDecoder()
        decoder.append(contentsOf: [0, 0, 0, 12, 4, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4] as [UInt8])
        #expect { try decoder.next() } throws: { ($0 as? FrameError)?.kind == .invalidPingPayload }
    }

    @Test func requestOnStreamZeroIsRejected() {
        var decoder = FrameDecoder()
        decoder.append(contentsOf: [0, 0, 0, 16, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] as [UInt8])
        #expect { try decoder.next() } throws: { ($0 as? FrameError)?.kind == .invalidStream }
    }

    @Test func encoderRefusesFramesAboveTheMaximum() {
        let frame = Frame.response(stream: 1, status: .ok, statusMessage: "", metadata: [:], message: [UInt8](repeating: 0, count: 2000))
        var buffer: [UInt8] = [42]
        #expect { try frame.encode(into: &buffer, maximumSize: 1024) } throws: { ($0 as? FrameError)?.kind == .frameTooLarge }
        #expect(buffer == [42])
    }

    @Test func statusCodesCarryTheirGRPCNames() {
        #expect(StatusCode.allCases.count == 17)
        #expect(StatusCode.deadlineExceeded.rawValue == 4 && StatusCode.deadlineExceeded.name == "DEADLINE_EXCEEDED")
        #expect(StatusCode.unauthenticated.rawValue == 16 && StatusCode.unauthenticated.name == "UNAUTHENTICATED")
    }

    @Test func metadataKeepsOrderAndReadsTheFirstValue() {
        var metadata: Metadata = ["b": "1", "a": "2"]
        metadata.append("b", "3")
        #expect(metadata["b"] == "1")
        #expect(metadata.entries.map(\.key) == ["b", "a", "b"])
        metadata["b"] = "4"
        #expect(metadata.entries.map(\.key) == ["a", "b"] && metadata["b"] == "4")
        metadata["a"] = nil
        #expect(metadata["a"] == nil && metadata.count == 1)
    }
}
