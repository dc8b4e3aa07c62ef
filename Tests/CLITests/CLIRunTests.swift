import Foundation
import Glibc
import PurserTestSupport
import Synchronization
import Testing

@testable import PurserCLI

/// Runs the CLI in-process with captured output.
final class CapturedTerminal: Sendable {
    let outText = Mutex("")
    let errText = Mutex("")
    var terminal: Terminal {
        Terminal(out: { text in self.outText.withLock { $0 += text } }, err: { text in self.errText.withLock { $0 += text } })
    }
    var out: String { outText.withLock { $0 } }
    var err: String { errText.withLock { $0 } }
}

@Suite struct CLIRunTests {
    func run(_ arguments: [String], environment: [String: String] = [:]) async -> (Int32, CapturedTerminal) {
        let captured = CapturedTerminal()
        let status = await CLI.run(arguments, environment: environment, terminal: captured.terminal, readFile: { _ in nil })
        return (status, captured)
    }

    @Test func helpExitsZeroOnStandardOutput() async {
        let (status, output) = await run(["wallet", "--help"])
        #expect(status == 0)
        #expect(output.out.contains("authorize"))
        #expect(output.err.isEmpty)
    }

    @Test func usageErrorsExitTwoWithAHelpHintOnStandardError() async {
        let (status, output) = await run(["wallet", "fund", "--amount", "abc", "--reference", "r"])
        #expect(status == 2)
        #expect(output.out.isEmpty)
        #expect(output.err.contains("--amount"))
        #expect(output.err.contains("Run `purser wallet fund --help`"))
    }

    @Test func commandsNeedingCredentialsSaySoWithStatusTwo() async {
        let (status, output) = await run(["agents", "list"])
        #expect(status == 2)
        #expect(output.err.contains("PURSER_SECRET"))
    }

    @Test func healthOfAServiceNobodyServesExitsOneWithParseableJSON() async throws {
        let port = try TestRPC.freePort()
        let (status, output) = await run(
            ["health", "--service", "wallet", "--endpoint", "127.0.0.1:\(port)", "--timeout", "2s", "--json"],
            environment: ["PURSER_CA": try TestEnvironment.certificate("ca")])
        #expect(status == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.out.utf8)) as? [String: Any])
        #expect(json["serving"] as? Bool == false)
        let services = try #require(json["services"] as? [[String: Any]])
        #expect(services.count == 1)
        #expect(services.first?["service"] as? String == "wallet")
        #expect(services.first?["status"] as? String == "UNREACHABLE")
        #expect(output.err.contains("not_serving"))
    }

    @Test func healthNeedsServiceWithEndpoint() async {
        let (status, output) = await run(["health", "--endpoint", "127.0.0.1:1"], environment: ["PURSER_CA": "/nonexistent"])
        #expect(status == 2)
        #expect(output.err.contains("--endpoint needs --service"))
    }
}
