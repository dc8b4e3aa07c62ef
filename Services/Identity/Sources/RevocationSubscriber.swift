import PurserRPC

/// A service told about every agent revocation: its name (the outbox key),
/// where it listens and which method receives the `AgentRevocationNotice`.
package struct RevocationSubscriber: Sendable, Hashable {
    package let name: String
    package let endpoint: Endpoint
    /// Full method name, e.g. `purser.wallet.v1.Wallet/FreezeAccount`.
    package let method: String

    /// A subscriber called `name` receiving notices on `method` at `endpoint`.
    package init(name: String, endpoint: Endpoint, method: String) {
        self.name = name
        self.endpoint = endpoint
        self.method = method
    }

    /// The method each well-known subscriber receives notices on.
    package static let knownMethods: [String: String] = [
        "wallet": "purser.wallet.v1.Wallet/FreezeAccount",
        "email": "purser.email.v1.EmailAlias/DisableAgent",
    ]

    /// Parses `PURSER_IDENTITY_REVOCATION_SUBSCRIBERS`: comma-separated
    /// `name=host:port` (for `wallet` and `email`) or `name=host:port/package.Service/Method`.
    /// Names must be unique handles. Throws a message naming the bad entry.
    package static func parseList(_ items: [String]) throws(SubscriberListError) -> [RevocationSubscriber] {
        var result: [RevocationSubscriber] = []
        for item in items {
            guard let equals = item.firstIndex(of: "=") else {
                throw SubscriberListError(entry: item, problem: "expected name=host:port")
            }
            let name = String(item[..<equals])
            let rest = item[item.index(after: equals)...]
            guard Validation.isValidHandle(name) else {
                throw SubscriberListError(entry: item, problem: "the name must match [a-z0-9][a-z0-9-]{1,62}")
            }
            guard !result.contains(where: { $0.name == name }) else {
                throw SubscriberListError(entry: item, problem: "\(name) is listed twice")
            }
            let address: Substring
            let method: String
            if let slash = rest.firstIndex(of: "/") {
                address = rest[..<slash]
                method = String(rest[rest.index(after: slash)...])
                guard method.contains("/"), !method.hasPrefix("/"), !method.hasSuffix("/") else {
                    throw SubscriberListError(entry: item, problem: "the method must look like package.Service/Method")
                }
            } else {
                address = rest
                guard let known = knownMethods[name] else {
                    throw SubscriberListError(entry: item, problem: "no default method for \(name); write name=host:port/package.Service/Method")
                }
                method = known
            }
            guard let endpoint = Endpoint(parsing: String(address)) else {
                throw SubscriberListError(entry: item, problem: "\"\(address)\" is not host:port")
            }
            result.append(RevocationSubscriber(name: name, endpoint: endpoint, method: method))
        }
        return result
    }
}

/// A malformed entry of the subscriber list.
package struct SubscriberListError: Error, Sendable, CustomStringConvertible {
    package let entry: String
    package let problem: String
    package var description: String { "\"\(entry)\": \(problem)" }
}

/// When to retry an undelivered notice: exponential from `initial`, doubling,
/// capped at `maximum`, with up to 20% jitter subtracted so replicas spread out.
/// Pure: the jitter fraction is passed in.
package struct RetrySchedule: Sendable, Equatable {
    package var initial: Duration
    package var maximum: Duration

    /// Delays start at `initial` and never exceed `maximum`.
    package init(initial: Duration = .milliseconds(200), maximum: Duration = .seconds(60)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The wait after failed attempt number `attempt` (1-based); `jitter` in 0...1.
    package func delay(afterAttempt attempt: Int, jitter: Double) -> Duration {
        let exponent = max(0, min(attempt - 1, 30))
        var delay = initial * (1 << exponent)
        if delay > maximum || delay < .zero { delay = maximum }
        let fraction = max(0, min(jitter, 1)) * 0.2
        return delay - delay * fraction
    }
}
