import Foundation

extension TokenVerifier {
    /// What a verifier accepts and how it caches. Times are whole seconds.
    public struct Configuration: Sendable {
        /// Required `iss`, the expected `aud` entry, leeway and maximum lifetime.
        public var rules: ClaimRules
        /// Keys older than this are refreshed in the background on the next verification.
        public var keyRefreshIntervalSeconds: Int64
        /// Minimum time between two fetches started by unknown `kid`s or failures,
        /// so garbage key ids cannot hammer the key source.
        public var refreshCooldownSeconds: Int64
        /// Most verified tokens kept.
        public var tokenCacheCapacity: Int
        /// Longest token accepted, in bytes.
        public var maximumTokenLength: Int

        public init(
            issuer: String, audience: String, leewaySeconds: Int64 = 30, maximumLifetimeSeconds: Int64 = 86_400,
            keyRefreshIntervalSeconds: Int64 = 300, refreshCooldownSeconds: Int64 = 10,
            tokenCacheCapacity: Int = 100_000, maximumTokenLength: Int = 8_192
        ) {
            self.rules = ClaimRules(
                issuer: issuer, audience: audience, leewaySeconds: leewaySeconds,
                maximumLifetimeSeconds: maximumLifetimeSeconds)
            self.keyRefreshIntervalSeconds = keyRefreshIntervalSeconds
            self.refreshCooldownSeconds = refreshCooldownSeconds
            self.tokenCacheCapacity = tokenCacheCapacity
            self.maximumTokenLength = maximumTokenLength
        }
    }

    /// The current Unix time in whole seconds.
    @Sendable public static func systemClock() -> Int64 {
        Int64(Date().timeIntervalSince1970)
    }
}
