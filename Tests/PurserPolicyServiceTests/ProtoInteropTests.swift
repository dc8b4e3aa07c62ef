import Foundation
import PurserAPI
import PurserTestSupport
import PurserWire
import Testing

@Suite("policy.proto is the schema of record: Python protobuf and the Swift types agree byte for byte")
struct ProtoInteropTests {
    /// Generates Python classes from policy.proto, encodes one message of each
    /// shape and prints `name hex` lines.
    static let script = #"""
    import subprocess, sys, tempfile
    proto_dir, out = sys.argv[1], tempfile.mkdtemp()
    subprocess.run([sys.executable, "-m", "grpc_tools.protoc", "-I", proto_dir, "--python_out=" + out, "policy.proto"], check=True)
    sys.path.insert(0, out)
    import policy_pb2 as p
    messages = {
        "set_unconditional": p.SetTenantPolicyRequest(tenant_id="t-1", document_json='{"per_call_max":"5.00"}'),
        "set_expecting_none": p.SetAgentPolicyRequest(tenant_id="t-1", agent_id="a-1", document_json="{}", expected_version=0),
        "version": p.PolicyVersion(tenant_id="t-1", agent_id="a-1", level=p.POLICY_LEVEL_AGENT, version=3,
                                   document_json="{}", author="admin:k-1", created_at_us=1700000000000001),
        "effective": p.EffectivePolicyView(
            tenant_id="t-1", agent_id="a-1", tenant_version=2, agent_version=1, etag="2.1.UTC", time_zone="UTC",
            per_call_max=p.PerCallMaxView(amount_micros=2000000, source=p.RuleSourceView(level=p.POLICY_LEVEL_AGENT, version=1),
                                          rule="per_call_max (agent v1): 2.00"),
            limits=[p.EffectiveLimitView(limit_id="daily:search", interval="daily", amount_micros=20000000, count=10,
                                         categories=["search"], source=p.RuleSourceView(level=p.POLICY_LEVEL_TENANT, version=2),
                                         index=0, rule="r")],
            allowed_categories=p.AllowListView(names=["search"], sources=[p.RuleSourceView(level=p.POLICY_LEVEL_TENANT, version=2)]),
            blocked_providers=[p.BlockedNameView(name="shady", source=p.RuleSourceView(level=p.POLICY_LEVEL_TENANT, version=2))],
            tenant_document_json="{}", agent_document_json="{}"),
        "evaluate": p.EvaluateResponse(
            allowed=False,
            denial=p.DenialView(reason="limit_exceeded", rule="limits[0]", headroom_micros=0, remaining_count=-1, limit_id="daily"),
            limits=[p.LimitToEnforce(limit_id="daily", interval="daily", window_key="d:2026-11-21", cap_micros=50000000,
                                     cap_count=0, rule="r", window_start_at_us=1, window_end_at_us=2)],
            tenant_version=1, etag="1.0.UTC", time_zone="UTC", evaluated_at_us=-3),
    }
    for name, message in messages.items():
        print(name, message.SerializeToString().hex())
    """#

    static func swiftMessages() -> [String: [UInt8]] {
        let agentSource = RuleSourceView(level: .agent, version: 1)
        let tenantSource = RuleSourceView(level: .tenant, version: 2)
        var version = PolicyVersion()
        version.tenantID = "t-1"
        version.agentID = "a-1"
        version.level = .agent
        version.version = 3
        version.documentJSON = "{}"
        version.author = "admin:k-1"
        version.createdAtUs = 1_700_000_000_000_001
        var view = EffectivePolicyView()
        view.tenantID = "t-1"
        view.agentID = "a-1"
        view.tenantVersion = 2
        view.agentVersion = 1
        view.etag = "2.1.UTC"
        view.timeZone = "UTC"
        var perCall = PerCallMaxView()
        perCall.amountMicros = 2_000_000
        perCall.source = agentSource
        perCall.rule = "per_call_max (agent v1): 2.00"
        view.perCallMax = perCall
        var limit = EffectiveLimitView()
        limit.limitID = "daily:search"
        limit.interval = "daily"
        limit.amountMicros = 20_000_000
        limit.count = 10
        limit.categories = ["search"]
        limit.source = tenantSource
        limit.rule = "r"
        view.limits = [limit]
        var allowed = AllowListView()
        allowed.names = ["search"]
        allowed.sources = [tenantSource]
        view.allowedCategories = allowed
        var blocked = BlockedNameView()
        blocked.name = "shady"
        blocked.source = tenantSource
        view.blockedProviders = [blocked]
        view.tenantDocumentJSON = "{}"
        view.agentDocumentJSON = "{}"
        var denial = DenialView()
        denial.reason = "limit_exceeded"
        denial.rule = "limits[0]"
        denial.headroomMicros = 0
        denial.remainingCount = -1
        denial.limitID = "daily"
        var enforce = LimitToEnforce()
        enforce.limitID = "daily"
        enforce.interval = "daily"
        enforce.windowKey = "d:2026-11-21"
        enforce.capMicros = 50_000_000
        enforce.rule = "r"
        enforce.windowStartAtUs = 1
        enforce.windowEndAtUs = 2
        var evaluate = EvaluateResponse()
        evaluate.allowed = false
        evaluate.denial = denial
        evaluate.limits = [enforce]
        evaluate.tenantVersion = 1
        evaluate.etag = "1.0.UTC"
        evaluate.timeZone = "UTC"
        evaluate.evaluatedAtUs = -3
        return [
            "set_unconditional": SetTenantPolicyRequest(tenantID: "t-1", documentJSON: #"{"per_call_max":"5.00"}"#)
                .serializedBytes(),
            "set_expecting_none": SetAgentPolicyRequest(
                tenantID: "t-1", agentID: "a-1", documentJSON: "{}", expectedVersion: 0
            ).serializedBytes(),
            "version": version.serializedBytes(),
            "effective": view.serializedBytes(),
            "evaluate": evaluate.serializedBytes(),
        ]
    }

    @Test func pythonAndSwiftEncodePolicyMessagesIdentically() throws {
        let protoDirectory = TestEnvironment.repositoryRoot() + "/Shared/PurserAPI/proto"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script, protoDirectory]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
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
        let unconditional = try SetTenantPolicyRequest(serializedBytes: try #require(python["set_unconditional"]))
        #expect(unconditional.expectedVersion == nil)
        let expectingNone = try SetAgentPolicyRequest(serializedBytes: try #require(python["set_expecting_none"]))
        #expect(expectingNone.expectedVersion == 0)
        let evaluate = try EvaluateResponse(serializedBytes: try #require(python["evaluate"]))
        #expect(evaluate.denial?.headroomMicros == 0)
        #expect(evaluate.denial?.remainingCount == -1)
        #expect(evaluate.agentVersion == 0)
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
