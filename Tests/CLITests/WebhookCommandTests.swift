import PurserAPI
import Testing

@testable import PurserCLI

@Suite struct WebhookCommandTests {
    func run(_ arguments: [String]) async -> (Int32, CapturedTerminal) {
        let captured = CapturedTerminal()
        let status = await CLI.run(arguments, environment: [:], terminal: captured.terminal, readFile: { _ in nil })
        return (status, captured)
    }

    @Test func webhookCommandsParseTheirFlags() throws {
        let create = try CLI.parser.parse(["webhooks", "create", "--url", "https://h.example.com/x", "--events", "agent.revoked, agent.balance_low,"])
        guard case .run(let command) = create else { Issue.record("not a command"); return }
        #expect(command.path == ["webhooks", "create"])
        #expect(CLI.eventTypes(command.string("events") ?? "") == ["agent.revoked", "agent.balance_low"])
        guard case .run(let update) = try CLI.parser.parse(["webhooks", "update", "--endpoint", "e", "--disable", "--all-events"]) else {
            Issue.record("not a command"); return
        }
        #expect(update.flag("disable") && update.flag("all-events") && !update.flag("enable"))
        guard case .run(let alert) = try CLI.parser.parse(["agents", "balance-alert", "--agent", "bot", "--below", "0.5"]) else {
            Issue.record("not a command"); return
        }
        #expect(try alert.amount("below", allowZero: true)?.micros == 500_000)
        #expect(try alert.amount("below", allowZero: true) != nil)
    }

    @Test(arguments: [
        (["webhooks", "update", "--endpoint", "e", "--enable", "--disable"], "--enable and --disable"),
        (["webhooks", "update", "--endpoint", "e", "--events", "agent.revoked", "--all-events"], "--events and --all-events"),
        (["webhooks", "create"], "--url"),
        (["webhooks", "deliveries", "--endpoint", "e", "--status", "lost"], "--status"),
        (["webhooks", "rotate-secret", "--endpoint", "e", "--overlap", "soon"], "--overlap"),
        (["agents", "balance-alert", "--agent", "bot", "--below", "-1"], "--below"),
        (["agents", "balance-alert", "--agent", "bot"], "--below"),
    ])
    func contradictoryOrMalformedFlagsAreUsageErrors(arguments: [String], named: String) async {
        let (status, output) = await run(arguments)
        #expect(status == 2, "\(arguments)")
        #expect(output.err.contains(named), "\(arguments): \(output.err)")
        #expect(output.out.isEmpty)
    }

    @Test func aDeliveryRowShowsItsNewestAttempt() {
        var delivery = WebhookDelivery()
        delivery.id = "d-1"
        delivery.eventType = "agent.balance_low"
        delivery.status = .failed
        delivery.attemptCount = 2
        var newest = WebhookAttempt()
        newest.attempt = 2
        newest.httpStatus = 503
        newest.latencyUs = 42_000
        var oldest = WebhookAttempt()
        oldest.attempt = 1
        oldest.error = "timeout"
        delivery.attempts = [newest, oldest]
        #expect(delivery.row.prefix(6) == ["d-1", "agent.balance_low", "failed", "2", "503", "42 ms"])
        delivery.attempts = [oldest]
        #expect(delivery.lastOutcome == "timeout")
        delivery.attempts = []
        #expect(delivery.lastOutcome == "-")
    }

    @Test func anEndpointWithoutEventTypesTakesEveryType() {
        var endpoint = WebhookEndpoint()
        #expect(endpoint.eventsText == "all")
        endpoint.eventTypes = ["agent.revoked"]
        endpoint.status = .disabled
        #expect(endpoint.row.contains("agent.revoked"))
        #expect(endpoint.row.contains("disabled"))
    }
}
