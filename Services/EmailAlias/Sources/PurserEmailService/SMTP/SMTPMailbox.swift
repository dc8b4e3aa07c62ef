import PurserEmail
import PurserKit

/// What the SMTP listener asks of the rest of the service: is this recipient
/// an enabled alias, and store this message. Called off the event loop; the
/// answers never throw (failures become 451 replies).
package protocol SMTPMailbox: Sendable {
    /// Whether `address` is an enabled alias (RCPT TO).
    func checkRecipient(_ address: MailAddress) async -> SMTPSession.RecipientVerdict
    /// Stores `message` for the envelope's recipients; `.stored` only once it is durable.
    func deliver(_ envelope: SMTPEnvelope, message: [UInt8]) async -> SMTPSession.DeliveryOutcome
}

/// The mailbox backed by `MessageStore`: lookups and deliveries run on the
/// PostgreSQL pool's threads; a database failure answers 451 (try again later).
package struct StoreMailbox: SMTPMailbox {
    package let store: MessageStore
    package let logger: Logger

    /// A mailbox storing into `store`, logging failures to `logger`.
    package init(store: MessageStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Unknown and disabled aliases answer 550; a database failure 451.
    package func checkRecipient(_ address: MailAddress) async -> SMTPSession.RecipientVerdict {
        do {
            switch try await store.lookup(address: address.lookupKey) {
            case .unknown: return .unknown
            case .disabled: return .disabled
            case .enabled: return .accepted
            }
        } catch {
            logger.warning("recipient lookup failed", ["error": "\(error)"])
            return .lookupFailed
        }
    }

    /// Parses the message once and stores it for every recipient in one transaction;
    /// the reference quoted in the 250 reply is the first stored message id.
    package func deliver(_ envelope: SMTPEnvelope, message: [UInt8]) async -> SMTPSession.DeliveryOutcome {
        let parsed = MailMessage(parsing: message)
        do {
            let stored = try await store.deliver(envelope: envelope, raw: message, parsed: parsed)
            guard let first = stored.first else { return .failed }
            logger.info("message stored", ["recipients": "\(stored.count)", "size": "\(message.count)", "reference": first])
            return .stored(reference: first)
        } catch {
            logger.warning("message not stored", ["error": "\(error)"])
            return .failed
        }
    }
}
