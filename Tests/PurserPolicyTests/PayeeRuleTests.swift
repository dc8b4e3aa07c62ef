import Foundation
import PurserPolicy
import Testing

/// `allowed_payees` / `blocked_payees` decide payments to agents; the provider
/// rules decide payments to providers; each leaves the other alone.
@Suite struct PayeeRuleTests {
    private let noon = instant("2026-11-21T12:00:00Z")
    private let helper = "6f1c2a9e-0d55-4c1b-9f4e-3b7d1a2c8e01"
    private let stranger = "0b8e7d6c-5a4f-4e3d-8c2b-1a0f9e8d7c6b"

    private func decide(_ tenant: PolicyDocument, agent: PolicyDocument? = nil, _ request: SpendRequest) -> Decision {
        PolicyEngine.evaluate(policy: EffectivePolicy.merge(tenant: tenant, agent: agent), request: request) { _ in .zero }
    }

    private func payment(to payee: String, category: String = "agent") -> SpendRequest {
        SpendRequest(amount: units(1), provider: "", category: category, at: noon, payeeAgent: payee.uppercased())
    }

    @Test func blockedAndNotAllowedPayeesAreRefusedWithTheirRule() {
        let blocked = decide(PolicyDocument(version: 2, blockedPayees: [helper]), payment(to: helper))
        #expect(blocked.denial?.reason == .payeeBlocked)
        #expect(blocked.denial?.rule == "blocked_payees (tenant v2): \(helper)")
        let notAllowed = decide(PolicyDocument(version: 1), agent: PolicyDocument(version: 3, allowedPayees: [helper]), payment(to: stranger))
        #expect(notAllowed.denial?.reason == .payeeBlocked)
        #expect(notAllowed.denial?.rule == "allowed_payees (agent v3): \(stranger)")
        #expect(decide(PolicyDocument(version: 1, allowedPayees: [helper]), payment(to: helper)).isAllowed)
    }

    @Test func allowListsOfBothLevelsIntersectAndBlocksUnite() {
        let tenant = PolicyDocument(version: 1, allowedPayees: [helper, stranger])
        let agent = PolicyDocument(version: 1, allowedPayees: [helper])
        #expect(decide(tenant, agent: agent, payment(to: helper)).isAllowed)
        #expect(decide(tenant, agent: agent, payment(to: stranger)).denial?.reason == .payeeBlocked)
        #expect(decide(PolicyDocument(version: 1), agent: PolicyDocument(version: 1, blockedPayees: [helper]), payment(to: helper)).denial?.reason == .payeeBlocked)
    }

    @Test func providerRulesDoNotDecidePaymentsToAgentsNorPayeeRulesPaymentsToProviders() {
        let providersOnly = PolicyDocument(version: 1, allowedProviders: ["exa"], blockedProviders: ["shady"])
        #expect(decide(providersOnly, payment(to: helper)).isAllowed)
        let payeesOnly = PolicyDocument(version: 1, allowedPayees: [helper])
        #expect(decide(payeesOnly, SpendRequest(amount: units(1), provider: "exa", at: noon)).isAllowed)
        let categories = PolicyDocument(version: 1, blockedCategories: ["agent"])
        #expect(decide(categories, payment(to: helper)).denial?.reason == .categoryBlocked)
    }

    @Test func payeeListsAreValidatedAndRoundTripThroughJSON() throws {
        let json = #"{"version":1,"allowed_payees":["\#(helper)"],"blocked_payees":["\#(stranger)"]}"#
        let document = try PolicyDocument.decode(json: Array(json.utf8))
        #expect(document.allowedPayees == [helper] && document.blockedPayees == [stranger])
        let overlapping = PolicyDocument(version: 1, allowedPayees: [helper], blockedPayees: [helper])
        #expect(overlapping.validate().contains { $0.field == "blocked_payees[0]" })
        let empty = PolicyDocument(version: 1, allowedPayees: [])
        #expect(empty.validate().contains { $0.field == "allowed_payees" })
    }
}
