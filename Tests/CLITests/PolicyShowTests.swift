import Foundation
import PurserAPI
import Testing

@testable import PurserCLI
import PurserJSON

/// `purser policy show` explains where each rule of a sub-agent's effective policy comes from.
@Suite struct PolicyShowTests {
    static let root = "00000000-0000-4000-8000-00000000000a"

    static func view() -> EffectivePolicyView {
        var view = EffectivePolicyView()
        view.agentID = "00000000-0000-4000-8000-00000000000b"
        view.tenantVersion = 3
        view.agentVersion = 1
        var ancestor = AncestorPolicyView()
        ancestor.agentID = root
        ancestor.version = 2
        view.ancestors = [ancestor]
        var inherited = EffectiveLimitView()
        inherited.limitID = "daily"
        inherited.interval = "daily"
        inherited.amountMicros = 50_000_000
        inherited.source = RuleSourceView(level: .ancestor, version: 2, agentID: root)
        var own = EffectiveLimitView()
        own.limitID = "hourly"
        own.interval = "hourly"
        own.amountMicros = 5_000_000
        own.source = RuleSourceView(level: .agent, version: 1, agentID: view.agentID)
        view.limits = [inherited, own]
        return view
    }

    @Test func eachLimitNamesTheOverrideItComesFrom() {
        let text = Self.view().text
        #expect(text.contains("ancestors:"))
        #expect(text.contains("\(Self.root) v2"))
        let lines = text.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("daily") && $0.hasSuffix("ancestor \(Self.root) v2") })
        #expect(lines.contains { $0.hasPrefix("hourly") && $0.hasSuffix("agent v1") })
    }

    @Test func theJSONListsTheAncestors() throws {
        let parsed = try #require(
            try JSONSerialization.jsonObject(with: Data(Self.view().json.rendered().utf8)) as? [String: Any])
        let ancestors = try #require(parsed["ancestors"] as? [[String: Any]])
        #expect(ancestors.first?["agent_id"] as? String == Self.root)
        #expect((ancestors.first?["version"] as? NSNumber)?.int64Value == 2)
    }
}
