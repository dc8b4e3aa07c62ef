import Foundation
import PurserAPI
import PurserTestSupport
import PurserWire
import Testing

/// email.proto is the schema of record: messages built by Python's protobuf
/// from the .proto and by the Swift types are the same bytes.
@Suite("email.proto interop")
struct ProtoInteropTests {
    /// Generates Python classes from email.proto (which imports identity.proto),
    /// encodes one message of each shape and prints `name hex` lines.
    static let script = #"""
    import subprocess, sys, tempfile
    proto_dir, out = sys.argv[1], tempfile.mkdtemp()
    subprocess.run([sys.executable, "-m", "grpc_tools.protoc", "-I", proto_dir, "--python_out=" + out,
                    "identity.proto", "email.proto"], check=True)
    sys.path.insert(0, out)
    import email_pb2 as p
    messages = {
        "alias": p.Alias(id="al", tenant_id="t", agent_id="a", address="bot@agents.test", kind=p.ALIAS_KIND_RANDOM,
                         status=p.ALIAS_STATUS_DISABLED, disabled_reason="agent_revoked", received_count=3,
                         rejected_count=2, last_received_at_us=1700000000000001, created_at_us=5, updated_at_us=6),
        "create": p.CreateAliasRequest(tenant_id="t", agent_id="a", kind=p.ALIAS_KIND_CUSTOM, local_part="sales"),
        "message": p.Message(id="m", tenant_id="t", agent_id="a", alias_id="al", recipient="bot@agents.test",
                             envelope_from="x@example.org", client_name="mx", received_over_tls=True,
                             to="bot@agents.test", subject="Grüße", date="Mon, 1 Jan 2024", message_id="<id@x>",
                             size_bytes=1234, received_at_us=1700000000000000,
                             headers=[p.Header(name="Subject", value="=?utf-8?q?Gr=C3=BC=C3=9Fe?=")],
                             plain_text="hello\n", raw=b"\x00\xffraw", **{"from": "Sender <x@example.org>"}),
        "list": p.ListMessagesRequest(tenant_id="t", agent_id="a", since_us=99, alias_id="al", page_size=2, page_token="tok"),
        "ack": p.DisableAgentResponse(disabled_aliases=4),
    }
    for name, message in messages.items():
        print(name, message.SerializeToString().hex())
    """#

    static func swiftMessages() -> [String: [UInt8]] {
        var alias = Alias()
        alias.id = "al"
        alias.tenantID = "t"
        alias.agentID = "a"
        alias.address = "bot@agents.test"
        alias.kind = .random
        alias.status = .disabled
        alias.disabledReason = "agent_revoked"
        alias.receivedCount = 3
        alias.rejectedCount = 2
        alias.lastReceivedAtUs = 1_700_000_000_000_001
        alias.createdAtUs = 5
        alias.updatedAtUs = 6
        var message = EmailMessage()
        message.id = "m"
        message.tenantID = "t"
        message.agentID = "a"
        message.aliasID = "al"
        message.recipient = "bot@agents.test"
        message.envelopeFrom = "x@example.org"
        message.clientName = "mx"
        message.receivedOverTLS = true
        message.from = "Sender <x@example.org>"
        message.to = "bot@agents.test"
        message.subject = "Grüße"
        message.date = "Mon, 1 Jan 2024"
        message.messageID = "<id@x>"
        message.sizeBytes = 1234
        message.receivedAtUs = 1_700_000_000_000_000
        message.headers = [MailHeaderField(name: "Subject", value: "=?utf-8?q?Gr=C3=BC=C3=9Fe?=")]
        message.plainText = "hello\n"
        message.raw = [0x00, 0xff] + Array("raw".utf8)
        return [
            "alias": alias.serializedBytes(),
            "create": CreateAliasRequest(tenantID: "t", agentID: "a", kind: .custom, localPart: "sales").serializedBytes(),
            "message": message.serializedBytes(),
            "list": ListMessagesRequest(
                tenantID: "t", agentID: "a", sinceUs: 99, aliasID: "al", pageSize: 2, pageToken: "tok"
            ).serializedBytes(),
            "ack": DisableAgentResponse(disabledAliases: 4).serializedBytes(),
        ]
    }

    @Test func pythonAndSwiftEncodeEmailMessagesIdentically() async throws {
        let protoDirectory = TestEnvironment.repositoryRoot() + "/Shared/PurserAPI/proto"
        let output = try await PythonProcess.run(["-c", Self.script, protoDirectory])
        #expect(output.status == 0, "\(output.stderr)")
        var python: [String: [UInt8]] = [:]
        for line in String(decoding: output.stdout, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { continue }
            python[String(parts[0])] = Self.bytes(hex: parts[1])
        }
        let swift = Self.swiftMessages()
        #expect(Set(python.keys) == Set(swift.keys))
        for (name, bytes) in swift {
            #expect(python[name] == bytes, "\(name)")
        }
        let decoded = try EmailMessage(serializedBytes: try #require(python["message"]))
        #expect(decoded.from == "Sender <x@example.org>")
        #expect(decoded.raw == [0x00, 0xff] + Array("raw".utf8))
        #expect(try Alias(serializedBytes: try #require(python["alias"])).status == .disabled)
    }

    static func bytes(hex text: Substring) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex, let next = text.index(index, offsetBy: 2, limitedBy: text.endIndex) {
            bytes.append(UInt8(text[index..<next], radix: 16) ?? 0)
            index = next
        }
        return bytes
    }
}
