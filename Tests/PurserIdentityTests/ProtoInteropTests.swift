import Foundation
import PurserAPI
import PurserTestSupport
import PurserWire
import Testing

@Suite("identity.proto is the schema of record: Python protobuf and the Swift types agree byte for byte")
struct ProtoInteropTests {
    /// Generates Python classes from identity.proto, encodes one message of
    /// each shape and prints `name hex` lines.
    static let script = #"""
    import subprocess, sys, tempfile
    proto_dir, out = sys.argv[1], tempfile.mkdtemp()
    subprocess.run([sys.executable, "-m", "grpc_tools.protoc", "-I", proto_dir, "--python_out=" + out, "identity.proto"], check=True)
    sys.path.insert(0, out)
    import identity_pb2 as p
    messages = {
        "agent": p.Agent(id="a-1", tenant_id="t-1", handle="worker", display_name="Worker", metadata={"team": "ops"},
                         status=p.AGENT_STATUS_SUSPENDED, revoke_reason="", created_at_us=1700000000000000, updated_at_us=1,
                         revoked_at_us=0),
        "notice": p.AgentRevocationNotice(tenant_id="t-1", agent_id="a-1", reason="leaked", revoked_at_us=1700000000123456),
        "tenant": p.Tenant(id="t-1", slug="acme", name="Acme", email_domain="acme.test", time_zone="Europe/Paris",
                           currency="EUR", admin_can_read_mail=True, created_at_us=42),
        "key": p.CreateApiKeyResponse(key=p.ApiKey(id="k", tenant_id="t", role=p.API_KEY_ROLE_FINANCE, label="books",
                                                   created_at_us=1, expires_at_us=-5, revoked_at_us=0), secret="purser_sk_x"),
        "revocations": p.ListRevocationsResponse(revocations=[p.RevokedSubject(cursor=7, subject="a", tenant_id="t", reason="r",
                                                 revoked_at_us=1, expires_at_us=2)], next_cursor=7),
        "pay_request": p.IssuePaymentTokenRequest(provider_id="p-1", max_amount_micros=2500000, ttl_seconds=120, single_use=True),
        "pay_response": p.IssuePaymentTokenResponse(token="a.b.c", token_id="j-1", expires_at_us=9, audience="provider:p-1",
                                                    max_amount_micros=2500000, single_use=True),
    }
    for name, message in messages.items():
        print(name, message.SerializeToString().hex())
    """#

    static func swiftMessages() -> [String: [UInt8]] {
        var agent = Agent()
        agent.id = "a-1"
        agent.tenantID = "t-1"
        agent.handle = "worker"
        agent.displayName = "Worker"
        agent.metadata = ["team": "ops"]
        agent.status = .suspended
        agent.createdAtUs = 1_700_000_000_000_000
        agent.updatedAtUs = 1
        var tenant = Tenant()
        tenant.id = "t-1"
        tenant.slug = "acme"
        tenant.name = "Acme"
        tenant.emailDomain = "acme.test"
        tenant.timeZone = "Europe/Paris"
        tenant.currency = "EUR"
        tenant.adminCanReadMail = true
        tenant.createdAtUs = 42
        var key = CreateApiKeyResponse()
        key.key.id = "k"
        key.key.tenantID = "t"
        key.key.role = .finance
        key.key.label = "books"
        key.key.createdAtUs = 1
        key.key.expiresAtUs = -5
        key.secret = "purser_sk_x"
        var revoked = RevokedSubject()
        revoked.cursor = 7
        revoked.subject = "a"
        revoked.tenantID = "t"
        revoked.reason = "r"
        revoked.revokedAtUs = 1
        revoked.expiresAtUs = 2
        var revocations = ListRevocationsResponse()
        revocations.revocations = [revoked]
        revocations.nextCursor = 7
        var payResponse = IssuePaymentTokenResponse()
        payResponse.token = "a.b.c"
        payResponse.tokenID = "j-1"
        payResponse.expiresAtUs = 9
        payResponse.audience = "provider:p-1"
        payResponse.maxAmountMicros = 2_500_000
        payResponse.singleUse = true
        return [
            "pay_request": IssuePaymentTokenRequest(providerID: "p-1", maxAmountMicros: 2_500_000, ttlSeconds: 120, singleUse: true)
                .serializedBytes(),
            "pay_response": payResponse.serializedBytes(),
            "agent": agent.serializedBytes(),
            "notice": AgentRevocationNotice(tenantID: "t-1", agentID: "a-1", reason: "leaked", revokedAtUs: 1_700_000_000_123_456).serializedBytes(),
            "tenant": tenant.serializedBytes(),
            "key": key.serializedBytes(),
            "revocations": revocations.serializedBytes(),
        ]
    }

    @Test func pythonAndSwiftEncodeIdentityMessagesIdentically() async throws {
        let protoDirectory = TestEnvironment.repositoryRoot() + "/Shared/PurserAPI/proto"
        let (status, data) = await runOffThePool("/usr/bin/env", ["python3", "-c", Self.script, protoDirectory])
        #expect(status == 0)
        var python: [String: [UInt8]] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { continue }
            python[String(parts[0])] = hexBytes(parts[1])
        }
        let swift = Self.swiftMessages()
        #expect(Set(python.keys) == Set(swift.keys))
        for (name, bytes) in swift {
            #expect(python[name] == bytes, "\(name)")
        }
        let decoded = try Agent(serializedBytes: try #require(python["agent"]))
        #expect(decoded.status == .suspended)
        #expect(decoded.metadata == ["team": "ops"])
        let notice = try AgentRevocationNotice(serializedBytes: try #require(python["notice"]))
        #expect(notice.revokedAtUs == 1_700_000_000_123_456)
    }

    /// Runs a process on its own thread (never blocking the cooperative pool
    /// other tests' calls run on) and returns its exit status and standard output.
    func runOffThePool(_ executable: String, _ arguments: [String]) async -> (Int32, Data) {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = arguments
                let output = Pipe()
                process.standardOutput = output
                do {
                    try process.run()
                } catch {
                    continuation.resume(returning: (-1, Data()))
                    return
                }
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: (process.terminationStatus, data))
            }
            thread.start()
        }
    }

    func hexBytes(_ text: Substring) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex, let next = text.index(index, offsetBy: 2, limitedBy: text.endIndex) {
            bytes.append(UInt8(text[index..<next], radix: 16) ?? 0)
            index = next
        }
        return bytes
    }
}
