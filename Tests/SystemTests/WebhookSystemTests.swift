import Foundation
import PurserAPI
import PurserKit
import PurserRPC
import PurserTestSupport
import Testing

/// Webhooks end to end: the five executables, events written by the
/// transactions that cause them, relayed to Identity, and delivered to a
/// receiver that verifies every delivery with the `standardwebhooks` package
/// (`Tests/Interop/webhook_receiver.py`).
@Suite(.serialized) struct WebhookSystemTests {
    /// Private addresses allowed (the receiver is on loopback) and retries that
    /// fit in a test: 200 ms doubling to 2 s.
    static let settings = ["identity": [
        "PURSER_IDENTITY_WEBHOOK_ALLOW_PRIVATE": "true",
        "PURSER_IDENTITY_WEBHOOK_RETRY_INITIAL": "200ms",
        "PURSER_IDENTITY_WEBHOOK_RETRY_MAX": "2s",
        "PURSER_IDENTITY_WEBHOOK_POLL_INTERVAL": "100ms",
        "PURSER_IDENTITY_WEBHOOK_TIMEOUT": "5s",
    ]]

    /// 20,000 charges of 100 µ-units in two rounds (with a refill between)
    /// across a balance-low threshold, to zero, and through a daily cap's 80 %
    /// and 100 %: each crossing fires its event exactly once, in the order
    /// the crossings happened, and every delivery verifies.
    @Test func aStormOfSpendsFiresEachThresholdOncePerCrossingInOrder() async throws {
        try await withDeployment(metrics: true) { deployment, receiver in
            let world = try await deployment.makeWorld(agents: 1, allocation: 1_000_000)
            let calls = try Calls(deployment, world)
            defer { calls.close() }
            let endpoint = try await calls.createEndpoint(url: receiver.url)
            try receiver.trust([endpoint.secret])
            _ = try await calls.setBalanceAlert(world.agent.id, below: 500_000)
            _ = try await calls.setAgentPolicy(world.agent.id, #"{"limits": [{"amount": "2.00", "interval": "daily"}]}"#)

            let approved1 = try await calls.charges(10_000, of: 100, as: world.agent.token)
            #expect(approved1 == 10_000)
            try await calls.allocate(1_000_000, to: world.agent.id)
            let approved2 = try await calls.charges(10_000, of: 100, as: world.agent.token)
            #expect(approved2 == 10_000)
            #expect(try await calls.charges(1, of: 100, as: world.agent.token) == 0, "nothing is left")

            let expected = ["agent.balance_low", "agent.balance_depleted", "agent.balance_low", "agent.limit_reached",
                            "agent.limit_reached", "agent.balance_depleted", "authorization.denied"]
            let seen = try await receiver.waitFor("seven events", timeout: .seconds(60)) { deliveries in
                deliveries.filter { $0.status == 204 }.count >= expected.count
            }
            try await Task.sleep(for: .seconds(2))  // anything more that was going to come
            let all = try receiver.deliveries()
            #expect(all.allSatisfy { $0.verified }, "\(all.filter { !$0.verified }.map(\.error))")
            #expect(all.allSatisfy { $0.status == 204 })
            #expect(Set(all.map(\.webhookID)).count == all.count, "no event is delivered twice")
            #expect(all.map(\.type) == expected, "\(all.map(\.type))")
            let limits = all.filter { $0.type == "agent.limit_reached" }
            #expect(limits.map { $0.data["percent"] as? Int } == [80, 100])
            #expect(limits.allSatisfy { $0.data["cap_micros"] as? Int == 2_000_000 && $0.data["measure"] as? String == "amount" })
            let lows = all.filter { $0.type == "agent.balance_low" }
            #expect(lows.allSatisfy { ($0.data["available_micros"] as? Int ?? .max) < 500_000 && $0.data["threshold_micros"] as? Int == 500_000 })
            #expect(seen.allSatisfy { $0.data["agent_id"] as? String == world.agent.id })

            let scrape = try await MetricsScrape.fetch("identity", port: try #require(deployment.metricsPorts["identity"]))
            try await scrape.checkWithPromtool(in: deployment.directory)
            #expect(scrape[#"purser_webhook_attempts_total{outcome="2xx"}"#] >= Double(expected.count))
            #expect(scrape["purser_webhook_backlog"] == 0)
        }
    }

    /// A receiver that answers 500 for a minute, then 204: every event
    /// arrives, retried under the same `webhook-id` until it is accepted, in
    /// the agent's order; the delivery log shows each attempt.
    @Test func aReceiverFailingForAMinuteGetsEveryEventWithTheSameWebhookID() async throws {
        try await withDeployment { deployment, receiver in
            let world = try await deployment.makeWorld(agents: 1, allocation: 1_000_000)
            let calls = try Calls(deployment, world)
            defer { calls.close() }
            let failingUntil = Date().addingTimeInterval(60)
            try receiver.fail(until: failingUntil)
            let endpoint = try await calls.createEndpoint(url: receiver.url)
            try receiver.trust([endpoint.secret])
            _ = try await calls.setBalanceAlert(world.agent.id, below: 900_000)
            try await calls.suspend(world.agent.id, true)
            try await calls.suspend(world.agent.id, false)
            #expect(try await calls.charges(1, of: 200_000, as: world.agent.token) == 1)
            #expect(try await calls.charges(1, of: 800_000, as: world.agent.token) == 1)
            try await calls.revoke(world.agent.id)
            let expected = ["agent.suspended", "agent.balance_low", "agent.balance_depleted", "agent.revoked"]

            let seen = try await receiver.waitFor("every event accepted", timeout: .seconds(150)) { deliveries in
                Set(deliveries.filter { $0.status == 204 }.map(\.webhookID)).count >= expected.count
            }
            #expect(seen.allSatisfy { $0.verified })
            let accepted = seen.filter { $0.status == 204 }
            // In commit order per producer (Identity's events, the Wallet's); across
            // producers, in the order Identity received them.
            #expect(Set(accepted.map(\.type)) == Set(expected) && accepted.count == expected.count, "\(accepted.map(\.type))")
            #expect(accepted.map(\.type).filter { $0.hasPrefix("agent.balance") } == ["agent.balance_low", "agent.balance_depleted"])
            #expect(accepted.map(\.type).filter { !$0.hasPrefix("agent.balance") } == ["agent.suspended", "agent.revoked"])
            #expect(accepted.allSatisfy { $0.receivedAt >= failingUntil.timeIntervalSince1970 })
            var byID: [String: [WebhookReceiver.Delivery]] = [:]
            for delivery in seen { byID[delivery.webhookID, default: []].append(delivery) }
            #expect(Set(byID.keys) == Set(accepted.map(\.webhookID)), "no request carries an id that is not an event's")
            for (id, requests) in byID {
                #expect(Set(requests.map(\.type)).count == 1, "\(id): one event per id")
                #expect(requests.last?.status == 204 && requests.dropLast().allSatisfy { $0.status == 500 })
            }
            let first = try #require(byID[accepted[0].webhookID])
            #expect(first.count >= 10, "retried through the minute: \(first.count) requests")

            let log = try await calls.deliveries(endpoint.endpoint.id)
            #expect(log.count == expected.count)
            for delivery in log {
                #expect(delivery.status == .delivered)
                let requests = byID[delivery.eventID] ?? []
                #expect(Int(delivery.attemptCount) == requests.count, "\(delivery.eventType): the log counts every attempt")
                #expect(delivery.attempts.first?.httpStatus == 204)
                #expect(delivery.attempts.dropFirst().allSatisfy { $0.httpStatus == 500 })
            }
        }
    }

    /// Killing Identity (SIGKILL) while it works through a backlog of 60
    /// events of three agents loses none: after a restart every event is
    /// accepted, each agent's in order, and a request repeated by the crash
    /// carries the same `webhook-id`.
    @Test func killingIdentityMidBacklogLosesNothingAndKeepsEachAgentsOrder() async throws {
        try await withDeployment { deployment, receiver in
            let world = try await deployment.makeWorld(agents: 3, allocation: 1_000)
            let calls = try Calls(deployment, world)
            defer { calls.close() }
            try receiver.fail(until: Date().addingTimeInterval(3_600))
            let endpoint = try await calls.createEndpoint(url: receiver.url)
            try receiver.trust([endpoint.secret])
            for _ in 0..<20 {
                for agent in world.agents {
                    try await calls.suspend(agent.id, true)
                    try await calls.suspend(agent.id, false)
                }
            }
            let queued = try await calls.deliveries(endpoint.endpoint.id)
            #expect(queued.count == 60)
            // Event order per agent: the log is newest first.
            var order: [String: [String]] = [:]
            for delivery in queued.reversed() { order[delivery.agentID, default: []].append(delivery.eventID) }

            try receiver.fail(until: Date(timeIntervalSince1970: 0))
            _ = try await receiver.waitFor("deliveries under way", timeout: .seconds(30)) { deliveries in
                deliveries.filter { $0.status == 204 }.count >= 10
            }
            _ = try await deployment.kill(service: "identity", signal: SIGKILL)
            try await Task.sleep(for: .seconds(1))
            try deployment.restart(service: "identity")
            _ = try await deployment.waitUntilServing(service: "identity")

            let seen = try await receiver.waitFor("all 60 accepted", timeout: .seconds(120)) { deliveries in
                Set(deliveries.filter { $0.status == 204 }.map(\.webhookID)).count >= 60
            }
            #expect(seen.allSatisfy { $0.verified })
            let eventIDs = Set(queued.map(\.eventID))
            #expect(Set(seen.map(\.webhookID)).isSubset(of: eventIDs), "every request is one of the 60 events")
            var firstAccepted: [String] = []
            for delivery in seen where delivery.status == 204 && !firstAccepted.contains(delivery.webhookID) {
                firstAccepted.append(delivery.webhookID)
            }
            #expect(Set(firstAccepted) == eventIDs)
            for agent in world.agents {
                let accepted = firstAccepted.filter { (order[agent.id] ?? []).contains($0) }
                #expect(accepted == order[agent.id], "agent \(agent.id): accepted in event order")
            }
            print("kill mid-backlog: \(seen.filter { $0.status == 204 }.count) accepted requests for 60 events")
        }
    }

    /// Runs `body` with a fresh deployment (webhook settings above) and a receiver; stops both.
    func withDeployment(
        metrics: Bool = false, _ body: (Deployment, WebhookReceiver) async throws -> Void
    ) async throws {
        let deployment = try await Deployment(metrics: metrics, settings: Self.settings)
        do {
            try await deployment.waitUntilServing()
            let receiver = try await WebhookReceiver(in: deployment.directory)
            do {
                try await body(deployment, receiver)
            } catch {
                await receiver.stop()
                throw error
            }
            await receiver.stop()
        } catch {
            print(deployment.logs().suffix(6_000))
            await deployment.stop()
            throw error
        }
        await deployment.stop()
    }
}
