import PurserEmail

/// Runs an `SMTPSession` the way the listener will: feeds bytes, answers
/// recipient lookups from a directory and stores deliveries, recording every
/// action in order.
struct SMTPDriver {
    var session: SMTPSession
    /// Verdicts by lookup key; addresses not listed are unknown.
    var directory: [String: SMTPSession.RecipientVerdict]
    var deliveryOutcome = SMTPSession.DeliveryOutcome.stored(reference: "msg-1")
    private(set) var transcript: [SMTPSession.Action] = []
    private(set) var deliveries: [(envelope: SMTPEnvelope, message: [UInt8])] = []

    init(
        configuration: SMTPConfiguration = SMTPConfiguration(hostname: "mx.purser.test"),
        directory: [String: SMTPSession.RecipientVerdict] = ["agent-7@purser.test": .accepted]
    ) {
        session = SMTPSession(configuration: configuration)
        self.directory = directory
        run(session.start())
    }

    mutating func feed(_ text: String) { feed(Array(text.utf8)) }

    mutating func feed(_ bytes: [UInt8]) { run(session.receive(bytes)) }

    mutating func run(_ actions: [SMTPSession.Action]) {
        for action in actions {
            transcript.append(action)
            switch action {
            case .checkRecipient(let address):
                run(session.recipientChecked(directory[address.lookupKey] ?? .unknown))
            case .deliver(let envelope, let message):
                deliveries.append((envelope, message))
                run(session.deliveryFinished(deliveryOutcome))
            case .reply, .startTLS, .close:
                break
            }
        }
    }

    /// Every reply so far as `code enhanced`, e.g. `250 2.1.5`, or `220` without one.
    var codes: [String] {
        transcript.compactMap { action in
            guard case .reply(let reply) = action else { return nil }
            return reply.enhancedCode.map { "\(reply.code) \($0)" } ?? "\(reply.code)"
        }
    }

    /// Codes of the replies after the first `skip` ones.
    func codes(after skip: Int) -> [String] { Array(codes.dropFirst(skip)) }
}
