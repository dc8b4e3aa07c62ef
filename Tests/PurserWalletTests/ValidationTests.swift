import Foundation
import PurserAuth
import PurserRPC
import PurserTestSupport
import Testing
@testable import PurserWallet

@Suite struct ValidationTests {
    @Test(arguments: [0, -1, Int64.min, 1_001])
    func amountsOutsideOneToTheMaximumAreRefused(micros: Int64) {
        do {
            _ = try WalletRequest.amount(micros, maximum: 1_000)
            Issue.record("accepted \(micros)")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.reason == (micros > 0 ? "amount_too_large" : "amount_invalid"))
        }
    }

    @Test func amountsWithinTheRangeAreKept() throws {
        #expect(try WalletRequest.amount(1, maximum: 1_000) == 1)
        #expect(try WalletRequest.amount(1_000, maximum: 1_000) == 1_000)
    }

    @Test(arguments: ["", "not-a-uuid", "123e4567e89b12d3a456426614174000", "123e4567-e89b-12d3-a456-42661417400g"])
    func malformedIDsAreInvalidArguments(text: String) {
        do {
            _ = try WalletRequest.id(text, field: "hold_id")
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.reason == (text.isEmpty ? "invalid_argument" : "invalid_id"))
            #expect(error.message.hasPrefix("hold_id"))
        }
    }

    @Test func aTenantPrincipalNamingAnotherTenantGetsNotFound() throws {
        let own = UUID().uuidString.lowercased()
        let admin = Principal.tenantAdmin(tenant: own)
        #expect(try WalletRequest.tenant(admin, requested: "").uuidString.lowercased() == own)
        #expect(try WalletRequest.tenant(admin, requested: own.uppercased()).uuidString.lowercased() == own)
        do {
            _ = try WalletRequest.tenant(admin, requested: UUID().uuidString.lowercased())
            Issue.record("another tenant was accepted")
        } catch {
            #expect(error.code == .notFound)
            #expect(error.reason == "not_found")
        }
        do {
            _ = try WalletRequest.tenant(.operator, requested: "")
            Issue.record("the operator acted without naming a tenant")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.reason == "invalid_argument")
            #expect(error.message == "tenant_id: is required")
        }
    }

    @Test func idempotencyScopesAreNamedPerCaller() {
        let tenant = UUID().uuidString.lowercased()
        let names = [
            WalletRequest.scopeName(.operator), WalletRequest.scopeName(.tenantAdmin(tenant: tenant)),
            WalletRequest.scopeName(.tenantFinance(tenant: tenant)), WalletRequest.scopeName(.agent(tenant: tenant, agentID: "A")),
            WalletRequest.scopeName(.agent(tenant: tenant, agentID: "b")), WalletRequest.scopeName(.provider(providerID: "a")),
            WalletRequest.scopeName(.service(name: "identity")),
        ]
        #expect(Set(names).count == names.count)
        #expect(WalletRequest.scopeName(.agent(tenant: tenant, agentID: "A")) == "agent:a")
    }

    @Test func aDenialKeepsItsStatusReasonAndDetailsOnTheWire() throws {
        let outcome = try LedgerOutcome.decode(
            #"{"ok": false, "status": "failed_precondition", "reason": "limit_exceeded", "message": "over", "rule": "daily", "headroom_micros": 250}"#)
        let denial = try #require(outcome.denial)
        let error = denial
        #expect(error.code == .failedPrecondition)
        #expect(error.reason == "limit_exceeded")
        #expect(error.metadata["rule"] == "daily")
        #expect(error.metadata["headroom_micros"] == "250")
    }

    @Test func anUndecodableOutcomeIsAnInternalError() {
        do {
            _ = try LedgerOutcome.decode("not json")
            Issue.record("decoded garbage")
        } catch {
            #expect(error.code == .internal)
            #expect(error.reason == "internal")
        }
    }
}
