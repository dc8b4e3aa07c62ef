import PurserKit
import Testing
@testable import PurserSettlement

@Suite struct SettlementSettingsTests {
    @Test func defaultsApplyWhenNothingIsSet() throws {
        let settings = try SettlementSettings(configuration: Configuration(service: "settlement", environment: [:]))
        #expect(settings.walletEndpoint.description == "127.0.0.1:7102")
        #expect(settings.interval == .seconds(3_600))
        #expect(settings.cadence == .daily)
        #expect(settings.closeDelay == .seconds(600))
        #expect(settings.feedPageSize == 500)
    }

    @Test func everySettingIsReadFromItsVariable() throws {
        let settings = try SettlementSettings(configuration: Configuration(service: "settlement", environment: [
            "PURSER_SETTLEMENT_WALLET_ENDPOINT": "wallet:7102", "PURSER_SETTLEMENT_INTERVAL": "15m",
            "PURSER_SETTLEMENT_PERIOD": "monthly", "PURSER_SETTLEMENT_CLOSE_DELAY": "1h",
            "PURSER_SETTLEMENT_FEED_POLL_INTERVAL": "250ms", "PURSER_SETTLEMENT_FEED_PAGE_SIZE": "50",
            "PURSER_SETTLEMENT_FEED_MAX_BACKOFF": "2m",
        ]))
        #expect(settings.walletEndpoint.host == "wallet")
        #expect(settings.interval == .seconds(900))
        #expect(settings.cadence == .monthly)
        #expect(settings.closeDelay == .seconds(3_600))
        #expect(settings.feedPollInterval == .milliseconds(250))
        #expect(settings.feedPageSize == 50)
        #expect(settings.feedMaximumBackoff == .seconds(120))
    }

    @Test(arguments: [
        ("PURSER_SETTLEMENT_PERIOD", "hourly"), ("PURSER_SETTLEMENT_INTERVAL", "0s"),
        ("PURSER_SETTLEMENT_WALLET_ENDPOINT", "no-port"), ("PURSER_SETTLEMENT_FEED_PAGE_SIZE", "0"),
    ])
    func badValuesAreRefusedNamingTheVariable(variable: String, value: String) {
        #expect {
            try SettlementSettings(configuration: Configuration(service: "settlement", environment: [variable: value]))
        } throws: { error in
            "\(error)".contains(variable)
        }
    }
}
