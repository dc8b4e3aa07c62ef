import Synchronization
import Testing
@testable import PurserKit

@Suite struct LoggerTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        var sink: Logger.Sink { Logger.Sink { line in self.lines.withLock { $0.append(line) } } }
    }

    @Test func writesOneLogfmtLinePerEventWithSortedMetadata() {
        let captured = Lines()
        var logger = Logger(label: "wallet", level: .info, sink: captured.sink)
        logger[metadataKey: "request-id"] = "r1"
        logger.info("hold placed", ["amount": "3000", "agent": "a b"])
        let lines = captured.lines.withLock { $0 }
        #expect(lines.count == 1)
        let line = lines[0]
        #expect(line.hasSuffix("\n"))
        #expect(line.contains(" level=info logger=wallet msg=\"hold placed\" agent=\"a b\" amount=3000 request-id=r1\n"))
    }

    @Test func dropsEventsBelowTheLevel() {
        let captured = Lines()
        let logger = Logger(label: "x", level: .warning, sink: captured.sink)
        logger.info("quiet")
        logger.debug("quieter")
        logger.error("loud")
        #expect(captured.lines.withLock { $0.count } == 1)
    }

    @Test func quotesControlCharactersAndQuotes() {
        #expect(Logger.quote("plain") == "plain")
        #expect(Logger.quote("") == "\"\"")
        #expect(Logger.quote("a\"b\nc") == "\"a\\\"b\\nc\"")
        #expect(Logger.quote("k=v") == "\"k=v\"")
    }

    @Test(arguments: Logger.Level.allCases) func levelNamesRoundTrip(level: Logger.Level) {
        #expect(Logger.Level(name: level.description.uppercased()) == level)
    }
}
