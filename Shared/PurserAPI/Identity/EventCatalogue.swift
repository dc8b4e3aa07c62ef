/// The events Purser tells webhooks about: the catalogue of record
/// (`docs/EVENTS.md` describes each payload). A type's payload version only
/// grows by adding fields; a change that would break a receiver gets a new
/// version number, announced in the payload's `version`.
public enum EventCatalogue {
    /// One event type: who produces it and whether its deliveries keep the
    /// order of one agent's events.
    public struct EventType: Sendable, Equatable {
        public let name: String
        /// The service whose outbox writes it (`identity`, `wallet`, `email`, `settlement`).
        public let source: String
        /// Deliveries of this type to one endpoint go out in event order per agent.
        public let orderedPerAgent: Bool
        public let version: Int
    }

    public static let balanceLow = EventType(name: "agent.balance_low", source: "wallet", orderedPerAgent: true, version: 1)
    public static let balanceDepleted = EventType(name: "agent.balance_depleted", source: "wallet", orderedPerAgent: true, version: 1)
    public static let limitReached = EventType(name: "agent.limit_reached", source: "wallet", orderedPerAgent: true, version: 1)
    public static let authorizationDenied = EventType(name: "authorization.denied", source: "wallet", orderedPerAgent: true, version: 1)
    public static let agentRevoked = EventType(name: "agent.revoked", source: "identity", orderedPerAgent: true, version: 1)
    public static let agentSuspended = EventType(name: "agent.suspended", source: "identity", orderedPerAgent: true, version: 1)
    public static let emailReceived = EventType(name: "email.received", source: "email", orderedPerAgent: true, version: 1)
    public static let batchClosed = EventType(name: "settlement.batch_closed", source: "settlement", orderedPerAgent: false, version: 1)
    public static let batchPaid = EventType(name: "settlement.batch_paid", source: "settlement", orderedPerAgent: false, version: 1)
    public static let reconciliationMismatch = EventType(name: "reconciliation.mismatch", source: "settlement", orderedPerAgent: false, version: 1)
    public static let endpointDisabled = EventType(name: "webhook.endpoint_disabled", source: "identity", orderedPerAgent: false, version: 1)

    /// Every type, in catalogue order.
    public static let all: [EventType] = [
        balanceLow, balanceDepleted, limitReached, authorizationDenied, agentRevoked, agentSuspended,
        emailReceived, batchClosed, batchPaid, reconciliationMismatch, endpointDisabled,
    ]

    /// The type named `name`, if the catalogue has it.
    public static func type(named name: String) -> EventType? {
        all.first { $0.name == name }
    }
}
