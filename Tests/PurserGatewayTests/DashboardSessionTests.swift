import Foundation
import PurserJSON
import PurserServiceHarness
import Testing
@testable import PurserGateway

/// The dashboard's session over the gateway's handler in front of a real
/// Identity, Policy and Wallet: the cookie's flags, the CSRF token on every
/// change made by cookie, sign-out ending the token everywhere, finance
/// reading but never changing, another tenant's ids answering 404, and the
/// two reads the pages need (balances and denials).
@Suite struct DashboardSessionTests {
    typealias Call = (status: Int, json: JSONObject, response: GatewayResponse)

    static func call(_ handler: GatewayHandler, _ verb: String, _ target: String, cookie: String? = nil, csrf: String? = nil,
                     token: String? = nil, body: String? = nil, key: String? = nil) async throws -> Call {
        var headers: [(name: String, value: String)] = []
        if let cookie { headers.append(("Cookie", "theme=dark; \(DashboardSession.cookieName)=\(cookie)")) }
        if let csrf { headers.append(("X-CSRF-Token", csrf)) }
        if let key { headers.append(("Idempotency-Key", key)) }
        return try await GatewayHandlerTests.call(handler, verb, target, token: token, body: body, headers: headers)
    }

    /// A fresh secret of `role` ("API_KEY_ROLE_ADMIN", "API_KEY_ROLE_FINANCE") for the tenant.
    static func apiKey(_ handler: GatewayHandler, tenant: String, role: String, operatorToken: String) async throws -> String {
        let created = try await GatewayHandlerTests.call(
            handler, "POST", "/v1/tenants/\(tenant)/api-keys", token: operatorToken, body: #"{"role":"\#(role)"}"#)
        guard case .string(let secret)? = created.json["secret"] else { throw DescriptorSetFixture.FixtureError("no secret: \(created.json)") }
        return secret
    }

    /// Signs in with `secret`; the session token from the cookie and the CSRF token.
    static func signIn(_ handler: GatewayHandler, _ secret: String) async throws -> (cookie: String, csrf: String, answer: Call) {
        let answer = try await call(handler, "POST", "/v1/dashboard/session", body: #"{"secret":"\#(secret)"}"#)
        let setCookie = answer.response.header("set-cookie") ?? ""
        let cookie = DashboardSession.token(cookies: [("cookie", String(setCookie.split(separator: ";").first ?? ""))]) ?? ""
        guard case .string(let csrf)? = answer.json["csrfToken"] else { return (cookie, "", answer) }
        return (cookie, csrf, answer)
    }

    @Test(.timeLimit(.minutes(3))) func aSessionCookieIsStrictAndEveryChangeByCookieNeedsTheCSRFToken() async throws {
        try await GatewayHandlerTests.withGateway("dash_session") { handler, harness, world in
            let secret = try await Self.apiKey(handler, tenant: world.tenantID, role: "API_KEY_ROLE_ADMIN", operatorToken: world.operatorToken)
            let session = try await Self.signIn(handler, secret)
            #expect(session.answer.status == 200, "\(session.answer.json)")
            let setCookie = session.answer.response.header("set-cookie") ?? ""
            #expect(setCookie.hasPrefix("__Host-purser_session="))
            for flag in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] { #expect(setCookie.contains(flag), "\(setCookie) lacks \(flag)") }
            let maxAge = setCookie.split(separator: ";").compactMap { part -> Int? in
                let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=")
                return pair.first == "Max-Age" ? Int(pair[1]) : nil
            }.first ?? 0
            #expect(maxAge > 800 && maxAge <= 900, "Max-Age is the token's remaining lifetime (15 min): \(maxAge)")
            #expect(session.answer.json["role"] == .string("admin"))
            #expect(session.answer.json["tenantId"] == .string(world.tenantID))
            #expect(session.csrf == DashboardSession.csrfToken(for: session.cookie) && session.csrf.count == 64)
            #expect(session.answer.response.header("cache-control") == "no-store")

            let described = try await Self.call(handler, "GET", "/v1/dashboard/session", cookie: session.cookie)
            #expect(described.status == 200 && described.json["csrfToken"] == .string(session.csrf))
            if case .object(let tenant)? = described.json["tenant"] {
                #expect(tenant["id"] == .string(world.tenantID) && tenant["currency"] == .string("USD"), "\(tenant)")
            } else {
                Issue.record("the session describes its tenant: \(described.json)")
            }

            // Reads by cookie need no CSRF token; changes do, and it must be this session's.
            let balances = try await Self.call(handler, "GET", "/v1/wallet/balances", cookie: session.cookie)
            #expect(balances.status == 200, "\(balances.json)")
            let fund = #"{"amount":"5","externalReference":"csrf-check"}"#
            let missing = try await Self.call(handler, "POST", "/v1/wallet/fund", cookie: session.cookie, body: fund, key: "f-1")
            #expect(missing.status == 403 && missing.json["reason"] == .string("csrf_token_missing"), "\(missing.json)")
            let wrong = try await Self.call(handler, "POST", "/v1/wallet/fund", cookie: session.cookie,
                                            csrf: DashboardSession.csrfToken(for: "another session"), body: fund, key: "f-2")
            #expect(wrong.status == 403 && wrong.json["reason"] == .string("csrf_token_invalid"), "\(wrong.json)")
            let funded = try await Self.call(handler, "POST", "/v1/wallet/fund", cookie: session.cookie, csrf: session.csrf, body: fund, key: "f-3")
            #expect(funded.status == 200 && funded.json["amount"] == .string("5"), "\(funded.json)")
            let after = try await Self.call(handler, "GET", "/v1/wallet/balances", cookie: session.cookie)
            #expect(after.json["treasuryBalance"] == .string("5") && after.json["funded"] == .string("5"), "\(after.json)")

            // Signing out needs the CSRF token too, and ends the token at every service.
            let refused = try await Self.call(handler, "DELETE", "/v1/dashboard/session", cookie: session.cookie)
            #expect(refused.status == 403 && refused.json["reason"] == .string("csrf_token_missing"))
            let out = try await Self.call(handler, "DELETE", "/v1/dashboard/session", cookie: session.cookie, csrf: session.csrf)
            #expect(out.status == 200)
            #expect(out.response.header("set-cookie")?.contains("Max-Age=0") == true)
            let ended = try await Self.call(handler, "GET", "/v1/dashboard/session", cookie: session.cookie)
            #expect(ended.status == 401 && ended.json["reason"] == .string("subject_revoked"), "\(ended.json)")
            // The Wallet learns the ended session from the revocation feed (polled every 250 ms).
            var wallet: Call?
            for _ in 0..<40 {
                wallet = try await Self.call(handler, "GET", "/v1/wallet/balances", token: session.cookie)
                if wallet?.status == 401 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(wallet?.status == 401 && wallet?.json["reason"] == .string("subject_revoked"), "\(String(describing: wallet?.json))")
            // The admin's other tokens are untouched.
            let other = try await Self.call(handler, "GET", "/v1/wallet/balances", token: world.adminToken)
            #expect(other.status == 200)
            _ = harness
        }
    }

    @Test(.timeLimit(.minutes(3))) func financeReadsButCannotChangeAndAnotherTenantsAgentIsNotFound() async throws {
        try await GatewayHandlerTests.withGateway("dash_finance") { handler, harness, world in
            let finance = try await Self.signIn(
                handler, try await Self.apiKey(handler, tenant: world.tenantID, role: "API_KEY_ROLE_FINANCE", operatorToken: world.operatorToken))
            #expect(finance.answer.json["role"] == .string("finance"))
            let read = try await Self.call(handler, "GET", "/v1/wallet/balances", cookie: finance.cookie)
            #expect(read.status == 200)
            let revoke = try await Self.call(handler, "POST", "/v1/tenants/\(world.tenantID)/agents/\(world.agentID)/revoke",
                                             cookie: finance.cookie, csrf: finance.csrf, body: #"{"reason":"finance"}"#)
            #expect(revoke.status == 403 && revoke.json["reason"] == .string("permission_denied"), "\(revoke.json)")
            let fund = try await Self.call(handler, "POST", "/v1/wallet/fund", cookie: finance.cookie, csrf: finance.csrf,
                                           body: #"{"amount":"1","externalReference":"x"}"#, key: "finance-fund")
            #expect(fund.status == 403 && fund.json["reason"] == .string("permission_denied"))
            let agent = try await Self.call(handler, "GET", "/v1/tenants/\(world.tenantID)/agents/\(world.agentID)", cookie: finance.cookie)
            #expect(agent.status == 200 && agent.json["status"] == .string("AGENT_STATUS_ACTIVE"), "revoke changed nothing")

            // Another tenant's agent answers 404, in every read the pages make.
            let other = try await harness.world("dash-other", operatorToken: world.operatorToken)
            for target in ["/v1/tenants/\(world.tenantID)/agents/\(other.agentID)", "/v1/agents/\(other.agentID)/balance",
                           "/v1/wallet/denials?agentId=\(other.agentID)", "/v1/wallet/entries?accountId=\(other.agentID)"] {
                let foreign = try await Self.call(handler, "GET", target, cookie: finance.cookie)
                #expect(foreign.status == 404, "\(target): \(foreign.status) \(foreign.json)")
            }
            let theirs = try await Self.call(handler, "GET", "/v1/wallet/balances?tenantId=\(other.tenantID)", cookie: finance.cookie)
            #expect(theirs.status == 404, "\(theirs.json)")

            // A provider's secret opens no dashboard session, and neither does a wrong secret.
            let registered = try await GatewayHandlerTests.call(
                handler, "POST", "/v1/providers", token: world.operatorToken,
                body: #"{"slug":"dash-provider","name":"Dash provider","defaultCategory":"search"}"#)
            guard case .string(let providerSecret)? = registered.json["secret"] else { Issue.record("no provider: \(registered.json)"); return }
            let provider = try await Self.call(handler, "POST", "/v1/dashboard/session", body: #"{"secret":"\#(providerSecret)"}"#)
            #expect(provider.status == 403 && provider.json["reason"] == .string("dashboard_role_not_allowed"), "\(provider.json)")
            #expect(provider.response.header("set-cookie") == nil)
            let wrong = try await Self.call(handler, "POST", "/v1/dashboard/session", body: #"{"secret":"purser_sk_not_a_real_one"}"#)
            #expect(wrong.status == 401 && wrong.response.header("set-cookie") == nil, "\(wrong.json)")
        }
    }

    @Test(.timeLimit(.minutes(3))) func balancesAndDenialsReadTheLedger() async throws {
        try await GatewayHandlerTests.withGateway("dash_reads") { handler, harness, world in
            try await harness.fund(world, agentMicros: 10_000_000)
            var charges: [JSONValue] = []
            for (index, amount) in ["2.5", "1"].enumerated() {
                let charged = try await GatewayHandlerTests.call(
                    handler, "POST", "/v1/wallet/charge", token: world.agentToken,
                    body: #"{"amount":"\#(amount)","providerId":"\#(world.providerID)"}"#, headers: [("Idempotency-Key", "c-\(index)")])
                #expect(charged.status == 200, "\(charged.json)")
                charges.append(charged.json["holdId"] ?? .null)
            }
            // A refund counts against the day's spend: 2.5 + 1 - 0.5.
            guard case .string(let firstHold)? = charges.first else { Issue.record("no hold"); return }
            let refunded = try await GatewayHandlerTests.call(
                handler, "POST", "/v1/wallet/refund", token: world.providerToken,
                body: #"{"tenantId":"\#(world.tenantID)","holdId":"\#(firstHold)","amount":"0.5"}"#, headers: [("Idempotency-Key", "r-1")])
            #expect(refunded.status == 200, "\(refunded.json)")
            let poor = try await GatewayHandlerTests.call(
                handler, "POST", "/v1/wallet/charge", token: world.agentToken,
                body: #"{"amount":"8","providerId":"\#(world.providerID)","category":"\#(try await Self.category(handler, world))"}"#,
                headers: [("Idempotency-Key", "c-poor")])
            #expect(poor.status == 400 && poor.json["reason"] == .string("insufficient_funds"), "\(poor.json)")

            let balances = try await GatewayHandlerTests.call(handler, "GET", "/v1/wallet/balances", token: world.financeToken)
            #expect(balances.status == 200, "\(balances.json)")
            #expect(balances.json["spentToday"] == .string("3") && balances.json["spentWeek"] == .string("3")
                    && balances.json["spentMonth"] == .string("3"), "\(balances.json)")
            guard case .array(let agents)? = balances.json["agents"] else { Issue.record("no agents: \(balances.json)"); return }
            let rows = agents.compactMap { value -> JSONObject? in if case .object(let row) = value { return row } else { return nil } }
            let mine = rows.first { $0["agentId"] == .string(world.agentID) }
            #expect(rows.count == 1 && !rows.contains { $0["agentId"] == .string(world.otherAgentID) },
                    "only agents with an account (the other was never allocated anything): \(rows.count)")
            #expect(mine?["balance"] == .string("7") && mine?["held"] == .string("0") && mine?["available"] == .string("7")
                    && mine?["spentToday"] == .string("3"),
                    "\(String(describing: mine))")
            if case .string(let last)? = mine?["lastActivityAtUs"], let us = Int64(last) {
                #expect(abs(Double(us) / 1_000_000 - Date().timeIntervalSince1970) < 120, "last activity is now: \(last)")
            } else {
                Issue.record("no last activity: \(String(describing: mine))")
            }

            // One open hold beside the two captured charges; ListHolds pages them newest first and filters by state.
            let hold = try await GatewayHandlerTests.call(
                handler, "POST", "/v1/wallet/authorize", token: world.agentToken,
                body: #"{"amount":"0.5","providerId":"\#(world.providerID)"}"#, headers: [("Idempotency-Key", "h-1")])
            #expect(hold.status == 200, "\(hold.json)")
            let open = try await GatewayHandlerTests.call(
                handler, "GET", "/v1/wallet/holds?agentId=\(world.agentID)&state=HOLD_STATE_PENDING", token: world.financeToken)
            guard case .array(let pending)? = open.json["holds"] else { Issue.record("no holds: \(open.json)"); return }
            #expect(pending.count == 1 && open.json["nextPageToken"] == .string(""), "\(open.json)")
            if case .object(let first)? = pending.first {
                #expect(first["holdId"] == hold.json["holdId"] && first["amount"] == .string("0.5") && first["state"] == .string("HOLD_STATE_PENDING"))
            }
            var seen: [JSONValue] = []
            var token = ""
            repeat {
                let page = try await GatewayHandlerTests.call(
                    handler, "GET", "/v1/wallet/holds?agentId=\(world.agentID)&pageSize=2&pageToken=\(token)", token: world.agentToken)
                guard case .array(let holds)? = page.json["holds"], case .string(let next)? = page.json["nextPageToken"] else {
                    Issue.record("no page: \(page.json)"); return
                }
                seen += holds.compactMap { value in if case .object(let h) = value { return h["holdId"] } else { return nil } }
                token = next
            } while !token.isEmpty && seen.count < 10
            #expect(seen.count == 3 && Set(seen.map { "\($0)" }).count == 3, "three holds, each once, over two pages: \(seen)")
            #expect(seen.first == hold.json["holdId"], "newest first")
            let foreignHolds = try await GatewayHandlerTests.call(
                handler, "GET", "/v1/wallet/holds?agentId=\(world.agentID)", token: world.otherAgentToken)
            #expect(foreignHolds.status == 404, "an agent reads no other agent's holds")

            let denials = try await GatewayHandlerTests.call(handler, "GET", "/v1/wallet/denials", token: world.adminToken)
            guard case .array(let list)? = denials.json["denials"], case .object(let denial)? = list.first else {
                Issue.record("no denial recorded: \(denials.json)"); return
            }
            #expect(list.count == 1)
            #expect(denial["reason"] == .string("insufficient_funds") && denial["amount"] == .string("8")
                    && denial["agentId"] == .string(world.agentID) && denial["method"] == .string("charge"), "\(denial)")
            let own = try await GatewayHandlerTests.call(handler, "GET", "/v1/wallet/denials", token: world.agentToken)
            #expect(own.status == 200 && own.json["denials"] != nil, "an agent reads its own denials")
            let neighbour = try await GatewayHandlerTests.call(
                handler, "GET", "/v1/wallet/denials?agentId=\(world.agentID)", token: world.otherAgentToken)
            #expect(neighbour.status == 404, "an agent reads no other agent's denials: \(neighbour.json)")
            let byAgent = try await GatewayHandlerTests.call(handler, "GET", "/v1/wallet/balances", token: world.agentToken)
            #expect(byAgent.status == 403, "an agent reads no tenant overview")
        }
    }

    /// The provider's default category, as the charges above used it.
    static func category(_ handler: GatewayHandler, _ world: WalletHarness.World) async throws -> String {
        let provider = try await GatewayHandlerTests.call(handler, "GET", "/v1/providers/\(world.providerID)", token: world.adminToken)
        if case .string(let category)? = provider.json["defaultCategory"] { return category }
        return ""
    }
}
