import Foundation
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
}
