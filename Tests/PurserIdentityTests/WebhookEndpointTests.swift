import Foundation
import PurserAPI
import PurserAuth
import PurserIdentity
import PurserRPC
import PurserTestSupport
import Testing

extension IdentityIntegrationTests {
    @Suite("Identity webhook endpoints: secrets, limits, validation, isolation, rotation, the delivery log")
    struct WebhookEndpointTests {
        static let url = "https://203.0.113.10/purser"

        @Test func createdSecretIsShownOnceAndStoredSealedWithTheKEK() async throws {
            try await withIdentity("webhook_create") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                // An empty tenant id names the caller's tenant.
                let created = try await identity.call(
                    IdentityMethods.createWebhookEndpoint,
                    CreateWebhookEndpointRequest(url: Self.url, eventTypes: ["agent.balance_low", "agent.revoked", "agent.balance_low"],
                                                 description: "alerts"),
                    token: acme.adminToken)
                #expect(created.secret.hasPrefix("whsec_"))
                let raw = try #require(Data(base64Encoded: String(created.secret.dropFirst("whsec_".count))))
                #expect(raw.count == 32)
                let endpoint = created.endpoint
                #expect(endpoint.tenantID == acme.tenant.id)
                #expect(endpoint.url == Self.url)
                #expect(endpoint.eventTypes == ["agent.balance_low", "agent.revoked"])
                #expect(endpoint.description == "alerts")
                #expect(endpoint.status == .enabled)
                #expect(endpoint.disabledReason.isEmpty)
                #expect(endpoint.previousSecretExpiresAtUs == 0)

                // Stored sealed: not the secret's bytes, and it opens with the KEK under the row's key id.
                let stored = try await identity.sealedSecrets(endpoint.id)
                let current = try #require(stored.first)
                #expect(stored.count == 1)
                #expect(current.expires == nil)
                #expect(!Data(current.sealed).base64EncodedString().contains(String(created.secret.dropFirst(6).prefix(16))))
                let opened = try identity.kek.open(current.sealed, keyID: "webhook:\(endpoint.id):\(current.id)")
                #expect(String(decoding: opened, as: UTF8.self) == created.secret)
                // Sealed under another row's key id, it does not open.
                #expect(throws: AuthError.self) { try identity.kek.open(current.sealed, keyID: "webhook:\(endpoint.id):\(current.id + 1)") }

                // Never shown again: lists (admin and finance) carry no secret.
                for token in [acme.adminToken, acme.financeToken] {
                    let listed = try await identity.call(IdentityMethods.listWebhookEndpoints, ListWebhookEndpointsRequest(), token: token)
                    #expect(listed.endpoints == [endpoint])
                    #expect(!String(decoding: listed.serializedBytes(), as: UTF8.self).contains(created.secret))
                }
            }
        }

        @Test func invalidURLsEventTypesAndDescriptionsAreRefusedWithTheirReasons() async throws {
            try await withIdentity("webhook_validation") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let cases: [(CreateWebhookEndpointRequest, String)] = [
                    (CreateWebhookEndpointRequest(url: "http://203.0.113.10/x"), "url_invalid"),
                    (CreateWebhookEndpointRequest(url: ""), "url_invalid"),
                    (CreateWebhookEndpointRequest(url: "https://203.0.113.10/a b"), "url_invalid"),
                    (CreateWebhookEndpointRequest(url: "https://203.0.113.10/\n"), "url_invalid"),
                    (CreateWebhookEndpointRequest(url: "https://user:pw@203.0.113.10/"), "url_invalid"),
                    (CreateWebhookEndpointRequest(url: "https:///path-only"), "url_invalid"),
                    (CreateWebhookEndpointRequest(url: "https://203.0.113.10/" + String(repeating: "p", count: 2030)), "url_invalid"),
                    (CreateWebhookEndpointRequest(url: Self.url, eventTypes: ["agent.balance_low", "agent.exploded"]), "event_type_unknown"),
                    (CreateWebhookEndpointRequest(url: Self.url, description: String(repeating: "é", count: 129)), "description_invalid"),
                ]
                for (request, reason) in cases {
                    let error = await rpcError {
                        _ = try await identity.call(IdentityMethods.createWebhookEndpoint, request, token: acme.adminToken)
                    }
                    #expect(error?.code == .invalidArgument, "\(request.url.prefix(60)) \(request.eventTypes)")
                    #expect(error?.reason == reason, "\(request.url.prefix(60)) \(request.eventTypes)")
                }
                // 2048 bytes and 256 bytes are still accepted.
                let longest = "https://203.0.113.10/" + String(repeating: "p", count: 2048 - 21)
                _ = try await identity.call(
                    IdentityMethods.createWebhookEndpoint,
                    CreateWebhookEndpointRequest(url: longest, description: String(repeating: "é", count: 128)), token: acme.adminToken)
                #expect(try await identity.query("SELECT count(*)::text FROM identity.webhook_endpoints") == ["1"])
            }
        }

        @Test func concurrentCreatesNeverPassSixteenEndpointsPerTenant() async throws {
            try await withIdentity("webhook_limit") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let beta = try await identity.makeTenant("beta", operatorToken: op)
                let outcomes = await withTaskGroup(of: RPCError?.self) { group in
                    for index in 0..<24 {
                        group.addTask {
                            await rpcError {
                                _ = try await identity.call(
                                    IdentityMethods.createWebhookEndpoint,
                                    CreateWebhookEndpointRequest(url: "\(Self.url)/\(index)"), token: acme.adminToken)
                            }
                        }
                    }
                    var outcomes: [RPCError?] = []
                    for await outcome in group { outcomes.append(outcome) }
                    return outcomes
                }
                #expect(outcomes.filter { $0 == nil }.count == 16)
                let refusals = outcomes.compactMap { $0 }
                #expect(refusals.count == 8)
                #expect(refusals.allSatisfy { $0.code == .resourceExhausted && $0.reason == "endpoint_limit" })
                #expect(try await identity.query(
                    "SELECT count(*)::text FROM identity.webhook_endpoints WHERE tenant_id = $1", [acme.tenant.id]) == ["16"])
                // The limit is per tenant.
                _ = try await identity.call(
                    IdentityMethods.createWebhookEndpoint, CreateWebhookEndpointRequest(url: Self.url), token: beta.adminToken)
                // Paging walks all sixteen once.
                var seen: [String] = []
                var page = ListWebhookEndpointsRequest(tenantID: acme.tenant.id, pageSize: 5)
                repeat {
                    let response = try await identity.call(IdentityMethods.listWebhookEndpoints, page, token: acme.financeToken)
                    seen += response.endpoints.map(\.id)
                    page.pageToken = response.nextPageToken
                } while !page.pageToken.isEmpty
                #expect(seen.count == 16)
                #expect(Set(seen).count == 16)
            }
        }

        @Test func anotherTenantsEndpointsAndDeliveriesAnswerNotFoundAndFinanceOnlyReads() async throws {
            try await withIdentity("webhook_isolation") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let beta = try await identity.makeTenant("beta", operatorToken: op)
                let betaEndpoint = try await identity.call(
                    IdentityMethods.createWebhookEndpoint, CreateWebhookEndpointRequest(url: Self.url), token: beta.adminToken).endpoint
                let betaDelivery = try await identity.insertDelivery(
                    tenantID: beta.tenant.id, endpointID: betaEndpoint.id, status: "failed", attempts: 1)
                let b = beta.tenant.id, e = betaEndpoint.id
                let attempts: [(String, () async throws -> Void)] = [
                    ("Create", { _ = try await identity.call(IdentityMethods.createWebhookEndpoint, CreateWebhookEndpointRequest(tenantID: b, url: Self.url), token: acme.adminToken) }),
                    ("List", { _ = try await identity.call(IdentityMethods.listWebhookEndpoints, ListWebhookEndpointsRequest(tenantID: b), token: acme.financeToken) }),
                    ("Update", { _ = try await identity.call(IdentityMethods.updateWebhookEndpoint, UpdateWebhookEndpointRequest(endpointID: e, enabled: false), token: acme.adminToken) }),
                    ("Update naming beta", { _ = try await identity.call(IdentityMethods.updateWebhookEndpoint, UpdateWebhookEndpointRequest(tenantID: b, endpointID: e, enabled: false), token: acme.adminToken) }),
                    ("Delete", { _ = try await identity.call(IdentityMethods.deleteWebhookEndpoint, DeleteWebhookEndpointRequest(endpointID: e), token: acme.adminToken) }),
                    ("Rotate", { _ = try await identity.call(IdentityMethods.rotateWebhookSecret, RotateWebhookSecretRequest(endpointID: e), token: acme.adminToken) }),
                    ("Deliveries", { _ = try await identity.call(IdentityMethods.listWebhookDeliveries, ListWebhookDeliveriesRequest(endpointID: e), token: acme.financeToken) }),
                    ("Redeliver", { _ = try await identity.call(IdentityMethods.redeliverWebhook, RedeliverWebhookRequest(deliveryID: betaDelivery), token: acme.adminToken) }),
                    ("Malformed id", { _ = try await identity.call(IdentityMethods.deleteWebhookEndpoint, DeleteWebhookEndpointRequest(endpointID: "x"), token: acme.adminToken) }),
                ]
                for (name, attempt) in attempts {
                    let error = await rpcError(attempt)
                    #expect(error?.code == .notFound, "\(name)")
                    #expect(error?.reason == "not_found", "\(name)")
                }
                // Finance reads but never changes.
                let denied: [(String, () async throws -> Void)] = [
                    ("Create", { _ = try await identity.call(IdentityMethods.createWebhookEndpoint, CreateWebhookEndpointRequest(url: Self.url), token: acme.financeToken) }),
                    ("Rotate", { _ = try await identity.call(IdentityMethods.rotateWebhookSecret, RotateWebhookSecretRequest(endpointID: e), token: beta.financeToken) }),
                    ("Redeliver", { _ = try await identity.call(IdentityMethods.redeliverWebhook, RedeliverWebhookRequest(deliveryID: betaDelivery), token: beta.financeToken) }),
                    ("Operator", { _ = try await identity.call(IdentityMethods.listWebhookEndpoints, ListWebhookEndpointsRequest(tenantID: b), token: op) }),
                ]
                for (name, attempt) in denied {
                    let error = await rpcError(attempt)
                    #expect(error?.code == .permissionDenied, "\(name)")
                }
                // Nothing of beta's changed.
                let listed = try await identity.call(IdentityMethods.listWebhookEndpoints, ListWebhookEndpointsRequest(), token: beta.financeToken)
                #expect(listed.endpoints == [betaEndpoint])
                let log = try await identity.call(IdentityMethods.listWebhookDeliveries, ListWebhookDeliveriesRequest(endpointID: e), token: beta.financeToken)
                #expect(log.deliveries.map(\.status) == [.failed])
                #expect(try await identity.sealedSecrets(e).count == 1)
            }
        }

        @Test func updateChangesWhatIsSetAndEnablingMakesPendingDeliveriesDue() async throws {
            // Attempts to the documentation address end within two seconds (refused or timed out).
            try await withIdentity("webhook_update", webhooks: WebhookSettings(timeout: .seconds(2))) { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let endpoint = try await identity.call(
                    IdentityMethods.createWebhookEndpoint,
                    CreateWebhookEndpointRequest(url: Self.url, eventTypes: ["agent.revoked"], description: "first"),
                    token: acme.adminToken).endpoint
                let renamed = try await identity.call(
                    IdentityMethods.updateWebhookEndpoint,
                    UpdateWebhookEndpointRequest(endpointID: endpoint.id, description: "second"), token: acme.adminToken)
                #expect(renamed.description == "second")
                #expect(renamed.url == endpoint.url)
                #expect(renamed.eventTypes == ["agent.revoked"])

                let disabled = try await identity.call(
                    IdentityMethods.updateWebhookEndpoint,
                    UpdateWebhookEndpointRequest(endpointID: endpoint.id, url: "https://203.0.113.11/h", eventTypes: [], enabled: false),
                    token: acme.adminToken)
                #expect(disabled.status == .disabled)
                #expect(disabled.disabledReason == "disabled_by_tenant")
                #expect(disabled.url == "https://203.0.113.11/h")
                #expect(disabled.eventTypes.isEmpty)
                #expect(disabled.description == "second")

                // A pending delivery waiting an hour becomes due when the endpoint is enabled again.
                let pending = try await identity.insertDelivery(
                    tenantID: acme.tenant.id, endpointID: endpoint.id, status: "pending", attempts: 2, nextAttemptIn: "1 hour")
                let delivered = try await identity.insertDelivery(
                    tenantID: acme.tenant.id, endpointID: endpoint.id, status: "delivered", attempts: 1)
                let enabled = try await identity.call(
                    IdentityMethods.updateWebhookEndpoint, UpdateWebhookEndpointRequest(endpointID: endpoint.id, enabled: true),
                    token: acme.adminToken)
                #expect(enabled.status == .enabled)
                #expect(enabled.disabledReason.isEmpty)
                // The deliverer attempts it now, not in an hour: its third attempt is recorded.
                let clock = ContinuousClock()
                let deadline = clock.now + .seconds(15)
                var attempts: [String?] = []
                while clock.now < deadline {
                    attempts = try await identity.query(
                        "SELECT attempt_count::text FROM identity.webhook_deliveries WHERE delivery_id = $1", [pending])
                    if attempts != ["2"] { break }
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(attempts == ["3"], "\(attempts)")
                #expect(try await identity.query(
                    "SELECT status FROM identity.webhook_deliveries WHERE delivery_id = $1", [delivered]) == ["delivered"])

                for bad in [UpdateWebhookEndpointRequest(endpointID: endpoint.id, url: "ftp://x.example.com"),
                            UpdateWebhookEndpointRequest(endpointID: endpoint.id, eventTypes: ["nope"])] {
                    let error = await rpcError { _ = try await identity.call(IdentityMethods.updateWebhookEndpoint, bad, token: acme.adminToken) }
                    #expect(error?.code == .invalidArgument)
                }
                let unchanged = try await identity.call(IdentityMethods.listWebhookEndpoints, ListWebhookEndpointsRequest(), token: acme.adminToken)
                #expect(unchanged.endpoints.first?.url == "https://203.0.113.11/h")
            }
        }

        @Test func rotationKeepsThePreviousSecretForTheOverlapAndRefusesOverlapsBeyondSevenDays() async throws {
            try await withIdentity("webhook_rotate") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let created = try await identity.call(
                    IdentityMethods.createWebhookEndpoint, CreateWebhookEndpointRequest(url: Self.url), token: acme.adminToken)
                let id = created.endpoint.id
                for overlap: Int64 in [-1, 7 * 86_400 + 1] {
                    let error = await rpcError {
                        _ = try await identity.call(
                            IdentityMethods.rotateWebhookSecret, RotateWebhookSecretRequest(endpointID: id, overlapSeconds: overlap),
                            token: acme.adminToken)
                    }
                    #expect(error?.code == .invalidArgument)
                    #expect(error?.reason == "overlap_invalid")
                }
                #expect(try await identity.sealedSecrets(id).count == 1)

                let before = try await identity.nowMicros()
                let rotated = try await identity.call(
                    IdentityMethods.rotateWebhookSecret, RotateWebhookSecretRequest(endpointID: id), token: acme.adminToken)
                let after = try await identity.nowMicros()
                #expect(rotated.secret.hasPrefix("whsec_"))
                #expect(rotated.secret != created.secret)
                let day: Int64 = 86_400_000_000
                #expect(rotated.endpoint.previousSecretExpiresAtUs >= before + day)
                #expect(rotated.endpoint.previousSecretExpiresAtUs <= after + day)
                let secrets = try await identity.sealedSecrets(id)
                #expect(secrets.count == 2)
                let opened = try secrets.map { String(decoding: try identity.kek.open($0.sealed, keyID: "webhook:\(id):\($0.id)"), as: UTF8.self) }
                #expect(Set(opened) == [created.secret, rotated.secret])
                let current = try #require(secrets.first { $0.expires == nil })
                #expect(try identity.kek.open(current.sealed, keyID: "webhook:\(id):\(current.id)") == Array(rotated.secret.utf8))

                // A second rotation with a one-hour overlap; then the first secret, once past its end, is dropped.
                let third = try await identity.call(
                    IdentityMethods.rotateWebhookSecret, RotateWebhookSecretRequest(endpointID: id, overlapSeconds: 3600), token: acme.adminToken)
                #expect(try await identity.sealedSecrets(id).count == 3)
                #expect(third.endpoint.previousSecretExpiresAtUs == rotated.endpoint.previousSecretExpiresAtUs)
                _ = try await identity.query(
                    """
                    UPDATE identity.webhook_secrets SET expires_at = now() - interval '1 second'
                     WHERE endpoint_id = $1 AND expires_at > now() + interval '2 hours' RETURNING secret_id::text
                    """, [id])
                let fourth = try await identity.call(
                    IdentityMethods.rotateWebhookSecret, RotateWebhookSecretRequest(endpointID: id, overlapSeconds: 60), token: acme.adminToken)
                let remaining = try await identity.sealedSecrets(id)
                #expect(remaining.count == 3)
                let remainingSecrets = try remaining.map { String(decoding: try identity.kek.open($0.sealed, keyID: "webhook:\(id):\($0.id)"), as: UTF8.self) }
                #expect(Set(remainingSecrets) == [rotated.secret, third.secret, fourth.secret])
            }
        }

        @Test func deliveryLogIsNewestFirstFilteredAndRedeliverMakesEachStatusPendingNow() async throws {
            try await withIdentity("webhook_deliveries") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let endpoint = try await identity.call(
                    IdentityMethods.createWebhookEndpoint, CreateWebhookEndpointRequest(url: Self.url), token: acme.adminToken).endpoint
                let delivered = try await identity.insertDelivery(tenantID: acme.tenant.id, endpointID: endpoint.id, status: "delivered", attempts: 1)
                let failed = try await identity.insertDelivery(tenantID: acme.tenant.id, endpointID: endpoint.id, status: "failed", attempts: 25)
                let pending = try await identity.insertDelivery(
                    tenantID: acme.tenant.id, endpointID: endpoint.id, status: "pending", attempts: 3, nextAttemptIn: "1 hour")

                let log = try await identity.call(
                    IdentityMethods.listWebhookDeliveries, ListWebhookDeliveriesRequest(endpointID: endpoint.id), token: acme.financeToken)
                #expect(log.deliveries.map(\.id) == [pending, failed, delivered])
                #expect(log.deliveries.map(\.status) == [.pending, .failed, .delivered])
                let failedEntry = log.deliveries[1]
                #expect(failedEntry.attemptCount == 25)
                #expect(failedEntry.attempts.map(\.attempt) == Array((6...25).reversed()))
                #expect(failedEntry.attempts.first?.httpStatus == 500)
                #expect(failedEntry.attempts.first?.latencyUs == 25_000)
                #expect(failedEntry.nextAttemptAtUs == 0)
                #expect(log.deliveries[2].deliveredAtUs > 0)
                #expect(log.deliveries[0].nextAttemptAtUs > 0)

                let onlyFailed = try await identity.call(
                    IdentityMethods.listWebhookDeliveries, ListWebhookDeliveriesRequest(endpointID: endpoint.id, status: .failed),
                    token: acme.adminToken)
                #expect(onlyFailed.deliveries.map(\.id) == [failed])
                var paged: [String] = []
                var request = ListWebhookDeliveriesRequest(endpointID: endpoint.id, pageSize: 2)
                repeat {
                    let page = try await identity.call(IdentityMethods.listWebhookDeliveries, request, token: acme.adminToken)
                    paged += page.deliveries.map(\.id)
                    request.pageToken = page.nextPageToken
                } while !request.pageToken.isEmpty
                #expect(paged == [pending, failed, delivered])

                // Disabled, the endpoint's deliveries wait: what redelivery records is read before any attempt.
                _ = try await identity.call(
                    IdentityMethods.updateWebhookEndpoint, UpdateWebhookEndpointRequest(endpointID: endpoint.id, enabled: false),
                    token: acme.adminToken)
                for id in [delivered, failed, pending] {
                    let before = try await identity.nowMicros()
                    let answer = try await identity.call(
                        IdentityMethods.redeliverWebhook, RedeliverWebhookRequest(deliveryID: id), token: acme.adminToken)
                    #expect(answer.id == id)
                    #expect(answer.status == .pending)
                    #expect(answer.deliveredAtUs == 0)
                    #expect(answer.nextAttemptAtUs >= before - 1_000_000)
                    #expect(answer.nextAttemptAtUs <= (try await identity.nowMicros()))
                    #expect(try await identity.query(
                        "SELECT status || ' ' || (next_attempt_at <= now())::text FROM identity.webhook_deliveries WHERE delivery_id = $1",
                        [id]) == ["pending true"])
                }
                // The attempts are kept, and so is the count (the next attempt continues the numbering).
                let again = try await identity.call(
                    IdentityMethods.listWebhookDeliveries, ListWebhookDeliveriesRequest(endpointID: endpoint.id, status: .pending),
                    token: acme.adminToken)
                #expect(again.deliveries.count == 3)
                #expect(again.deliveries.first { $0.id == failed }?.attemptCount == 25)

                let invalid = await rpcError {
                    _ = try await identity.call(
                        IdentityMethods.listWebhookDeliveries,
                        ListWebhookDeliveriesRequest(endpointID: endpoint.id, status: WebhookDeliveryStatus(rawValue: 9)), token: acme.adminToken)
                }
                #expect(invalid?.reason == "status_invalid")
            }
        }

        @Test func deleteRemovesTheEndpointWithItsSecretsAndDeliveries() async throws {
            try await withIdentity("webhook_delete") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                let endpoint = try await identity.call(
                    IdentityMethods.createWebhookEndpoint, CreateWebhookEndpointRequest(url: Self.url), token: acme.adminToken).endpoint
                let keep = try await identity.call(
                    IdentityMethods.createWebhookEndpoint, CreateWebhookEndpointRequest(url: Self.url), token: acme.adminToken).endpoint
                _ = try await identity.insertDelivery(tenantID: acme.tenant.id, endpointID: endpoint.id, status: "pending", attempts: 2)
                _ = try await identity.insertDelivery(tenantID: acme.tenant.id, endpointID: keep.id, status: "pending", attempts: 1)
                let deleted = try await identity.call(
                    IdentityMethods.deleteWebhookEndpoint, DeleteWebhookEndpointRequest(endpointID: endpoint.id), token: acme.adminToken)
                #expect(deleted.id == endpoint.id)
                for table in ["webhook_endpoints", "webhook_secrets", "webhook_deliveries"] {
                    #expect(try await identity.query(
                        "SELECT count(*)::text FROM identity.\(table) WHERE endpoint_id = $1", [endpoint.id]) == ["0"], "\(table)")
                    #expect(try await identity.query(
                        "SELECT count(*)::text FROM identity.\(table) WHERE endpoint_id = $1", [keep.id]) == ["1"], "\(table)")
                }
                #expect(try await identity.query("SELECT count(*)::text FROM identity.webhook_attempts") == ["1"])
                let again = await rpcError {
                    _ = try await identity.call(
                        IdentityMethods.deleteWebhookEndpoint, DeleteWebhookEndpointRequest(endpointID: endpoint.id), token: acme.adminToken)
                }
                #expect(again?.code == .notFound)
            }
        }

        /// SSRF: an endpoint on a private, loopback or link-local address, or
        /// on a name resolving to one, is refused at registration (and on
        /// update) unless the deployment allows private addresses.
        @Test func endpointsOnPrivateAddressesAreRefusedUnlessAllowed() async throws {
            let refused = [
                "https://127.0.0.1/hook", "https://10.0.0.1/hook", "https://169.254.169.254/latest/meta-data", "https://[::1]/hook",
                "https://localhost/hook", "https://[::ffff:127.0.0.1]/hook", "https://100.64.0.1/hook", "https://[fd00::1]/hook",
            ]
            try await withIdentity("webhook_ssrf") { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                for url in refused {
                    let error = await rpcError {
                        _ = try await identity.call(
                            IdentityMethods.createWebhookEndpoint, CreateWebhookEndpointRequest(url: url), token: acme.adminToken)
                    }
                    #expect(error?.code == .invalidArgument && error?.reason == "url_not_allowed", "\(url): \(String(describing: error))")
                }
                let unresolvable = await rpcError {
                    _ = try await identity.call(
                        IdentityMethods.createWebhookEndpoint, CreateWebhookEndpointRequest(url: "https://no-such-host.invalid/hook"),
                        token: acme.adminToken)
                }
                #expect(unresolvable?.reason == "url_unresolvable")
                let created = try await identity.call(
                    IdentityMethods.createWebhookEndpoint, CreateWebhookEndpointRequest(url: Self.url), token: acme.adminToken)
                var update = UpdateWebhookEndpointRequest()
                update.endpointID = created.endpoint.id
                update.url = "https://169.254.169.254/"
                let updated = await rpcError { _ = try await identity.call(IdentityMethods.updateWebhookEndpoint, update, token: acme.adminToken) }
                #expect(updated?.reason == "url_not_allowed")
                #expect(try await identity.query("SELECT count(*)::text FROM identity.webhook_endpoints") == ["1"])
            }
            try await withIdentity("webhook_ssrf_allowed", webhooks: WebhookSettings(allowPrivate: true)) { identity in
                let op = try await identity.operatorToken()
                let acme = try await identity.makeTenant("acme", operatorToken: op)
                for url in refused + ["http://127.0.0.1:8080/hook", "http://localhost:8080/hook"] {
                    _ = try await identity.call(
                        IdentityMethods.createWebhookEndpoint, CreateWebhookEndpointRequest(url: url), token: acme.adminToken)
                }
                let plain = await rpcError {
                    _ = try await identity.call(
                        IdentityMethods.createWebhookEndpoint, CreateWebhookEndpointRequest(url: "http://203.0.113.10/hook"),
                        token: acme.adminToken)
                }
                #expect(plain?.reason == "url_invalid", "plain http only to a loopback host")
            }
        }
    }
}

extension IdentityHarness {
    /// One stored signing secret of an endpoint.
    struct StoredWebhookSecret {
        let id: Int64
        let sealed: [UInt8]
        let expires: String?
    }

    /// The endpoint's stored secrets, oldest first.
    func sealedSecrets(_ endpointID: String) async throws -> [StoredWebhookSecret] {
        let rows = try await query(
            """
            SELECT secret_id || ' ' || encode(sealed_secret, 'hex') || ' ' || coalesce(identity.to_us(expires_at)::text, '-')
              FROM identity.webhook_secrets WHERE endpoint_id = $1 ORDER BY secret_id
            """, [endpointID])
        return try rows.map { row in
            let parts = (row ?? "").split(separator: " ").map(String.init)
            guard parts.count == 3, let id = Int64(parts[0]) else { throw RPCError(.internal, "unexpected secret row \(row ?? "")") }
            var sealed: [UInt8] = []
            var index = parts[1].startIndex
            while index < parts[1].endIndex {
                let next = parts[1].index(index, offsetBy: 2)
                sealed.append(UInt8(parts[1][index..<next], radix: 16) ?? 0)
                index = next
            }
            return StoredWebhookSecret(id: id, sealed: sealed, expires: parts[2] == "-" ? nil : parts[2])
        }
    }

    /// The database's clock, in µs.
    func nowMicros() async throws -> Int64 {
        Int64(try await query("SELECT identity.to_us(now())::text").first.flatMap { $0 } ?? "") ?? 0
    }

    /// An event and its delivery to `endpointID`, with `attempts` attempts
    /// (each answered 500 after 1 ms per attempt number), written as the
    /// delivery loop would; returns the delivery id.
    func insertDelivery(
        tenantID: String, endpointID: String, status: String, attempts: Int, nextAttemptIn: String = "0 seconds"
    ) async throws -> String {
        let eventID = UUID().uuidString.lowercased(), deliveryID = UUID().uuidString.lowercased()
        _ = try await query(
            """
            WITH event AS (
                INSERT INTO identity.events (tenant_id, event_id, type, source, occurred_at, data)
                VALUES ($1, $2, 'agent.revoked', 'identity', now(), '{}') RETURNING seq
            ), delivery AS (
                INSERT INTO identity.webhook_deliveries
                    (tenant_id, delivery_id, endpoint_id, event_id, seq, event_type, status, attempt_count, next_attempt_at, delivered_at)
                SELECT $1, $3, $4, $2, seq, 'agent.revoked', $5, $6, now() + $7::interval,
                       CASE WHEN $5 = 'delivered' THEN now() END
                  FROM event RETURNING delivery_id
            )
            INSERT INTO identity.webhook_attempts (tenant_id, delivery_id, attempt, http_status, latency_us, response_excerpt)
            SELECT $1, d.delivery_id, n, CASE WHEN $5 = 'delivered' AND n = $6 THEN 200 ELSE 500 END, n * 1000, 'answer ' || n
              FROM delivery d, generate_series(1, $6) AS n
            RETURNING delivery_id::text
            """, [tenantID, eventID, deliveryID, endpointID, status, Int32(attempts), nextAttemptIn])
        return deliveryID
    }
}
