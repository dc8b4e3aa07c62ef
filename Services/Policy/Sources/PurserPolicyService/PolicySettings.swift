import PurserKit

/// Settings of the Policy service beyond the common ones, from
/// `PURSER_POLICY_<SETTING>` (see the README).
public struct PolicySettings: Sendable {
    /// How long tenant time zones and agent memberships fetched from Identity are reused.
    public var directoryCacheTTL: Duration

    /// Memberwise, for tests and embedders.
    public init(directoryCacheTTL: Duration = .seconds(30)) {
        self.directoryCacheTTL = directoryCacheTTL
    }

    /// Reads `PURSER_POLICY_DIRECTORY_CACHE_TTL`. Errors name the variable.
    public init(configuration: Configuration) throws {
        self.init(
            directoryCacheTTL: try configuration.duration(
                "DIRECTORY_CACHE_TTL", default: "30s",
                doc: "how long tenant time zones and agent memberships from Identity are reused"))
    }
}
