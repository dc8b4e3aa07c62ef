/// The server side of one SMTP connection (RFC 5321 with PIPELINING, SIZE,
/// 8BITMIME, ENHANCEDSTATUSCODES and STARTTLS) as a pure state machine.
///
/// The listener feeds received bytes to `receive(_:)` and carries out the
/// returned actions in order: write replies, look recipients up, store
/// messages, start TLS, close. Lookups and deliveries are asynchronous: the
/// session stops processing input until the listener reports the result with
/// `recipientChecked(_:)` or `deliveryFinished(_:)`, so pipelined commands are
/// answered strictly in order. Any split of the same input into chunks yields
/// the same actions. Hostile input never traps: every malformed line gets a
/// reply, and too many errors close the connection with 421. So do too many
/// commands that move no message forward (`maxJunkCommands`: NOOPs keep the
/// idle timer from firing, so they must not keep a connection open for ever)
/// and, reported by the listener, the end of the session's lifetime.
///
/// Policies chosen where the RFCs leave room:
/// - Commands may end in CRLF or a bare LF. Message data may not (see
///   `SMTPDataReader`): a bare CR or LF in DATA refuses the message with 554 5.6.0.
/// - VRFY and EXPN are refused with 502 5.5.1, so addresses cannot be harvested.
/// - Unknown and disabled recipients both get 550 5.1.1 and count as errors.
/// - Input pipelined after STARTTLS is discarded (RFC 3207, command injection).
package struct SMTPSession: Sendable {
    /// What the listener must do, in order.
    package enum Action: Sendable, Hashable {
        /// Write this reply.
        case reply(SMTPReply)
        /// Look this recipient up and call `recipientChecked(_:)`.
        case checkRecipient(MailAddress)
        /// Store the message for every recipient and call `deliveryFinished(_:)`.
        case deliver(SMTPEnvelope, message: [UInt8])
        /// Run the TLS handshake as server, then feed decrypted bytes.
        case startTLS
        /// Close the connection after writing the replies before this action.
        case close
    }

    /// The result of a recipient lookup.
    package enum RecipientVerdict: Sendable, Hashable {
        /// An enabled alias: the recipient is accepted (250 2.1.5).
        case accepted
        /// No such alias (550 5.1.1).
        case unknown
        /// The alias exists but is disabled (550 5.1.1).
        case disabled
        /// The mailbox cannot take mail now, e.g. over quota (450 4.2.1).
        case temporarilyUnavailable
        /// The lookup itself failed, e.g. the database is unreachable (451 4.3.0).
        case lookupFailed
    }

    /// The result of storing a message.
    package enum DeliveryOutcome: Sendable, Hashable {
        /// Stored for every recipient (250 2.0.0, quoting the reference).
        case stored(reference: String)
        /// Not stored; the client should retry (451 4.3.0).
        case failed
    }

    enum Mode: Hashable {
        case command
        case data(SMTPDataReader)
        case closed
    }

    enum Pending: Hashable {
        case recipient(MailAddress)
        case delivery
    }

    struct Transaction: Hashable {
        var sender: MailAddress?
        var declaredSize: Int?
        var eightBitMIME: Bool
        var recipients: [MailAddress] = []
    }

    package let configuration: SMTPConfiguration
    var buffer: [UInt8] = []
    var readIndex = 0
    var mode = Mode.command
    var pending: Pending?
    var clientName: String?
    var transaction: Transaction?
    var discardingLongLine = false
    var errorCount = 0
    /// Commands that moved no message forward since the connection opened or the last stored message.
    var junkCount = 0
    /// The lifetime ran out while a lookup or delivery was in flight: close once it is answered.
    var lifetimeOver = false
    /// Whether TLS is active on the connection (after STARTTLS, or a listener that starts in TLS).
    package internal(set) var isTLSActive: Bool

    /// A session for a new connection. `tlsActive` is true for listeners
    /// that speak TLS from the first byte.
    package init(configuration: SMTPConfiguration, tlsActive: Bool = false) {
        self.configuration = configuration
        self.isTLSActive = tlsActive
    }

    /// Whether the connection is finished; no further input is processed.
    package var isClosed: Bool { mode == .closed }

    /// Whether the session waits for message data (the listener applies `dataTimeout`).
    package var isReadingData: Bool {
        if case .data = mode { return true }
        return false
    }

    /// The greeting to send when the connection opens: 220.
    package func start() -> [Action] {
        [.reply(SMTPReply(220, nil, "\(configuration.hostname) ESMTP ready"))]
    }

    /// Processes received bytes and returns what to do, in order.
    package mutating func receive(_ bytes: some Collection<UInt8>) -> [Action] {
        guard mode != .closed else { return [] }
        buffer.append(contentsOf: bytes)
        var actions: [Action] = []
        if pending != nil, buffer.count - readIndex > configuration.maxPendingInput {
            close(with: .tooMuchPipelining, into: &actions)
            return actions
        }
        process(into: &actions)
        return actions
    }

    /// Reports the lookup asked for by `.checkRecipient` and resumes processing input.
    package mutating func recipientChecked(_ verdict: RecipientVerdict) -> [Action] {
        guard case .recipient(let address) = pending, mode != .closed else { return [] }
        pending = nil
        var actions: [Action] = []
        switch verdict {
        case .accepted:
            transaction?.recipients.append(address)
            reply(.recipientOK, into: &actions)
        case .unknown, .disabled:
            reply(.unknownRecipient, into: &actions)
        case .temporarilyUnavailable:
            reply(.recipientUnavailable, into: &actions)
        case .lookupFailed:
            reply(.localError, into: &actions)
        }
        finishPending(into: &actions)
        return actions
    }

    /// Reports the storage asked for by `.deliver`, ends the transaction and
    /// resumes processing input.
    package mutating func deliveryFinished(_ outcome: DeliveryOutcome) -> [Action] {
        guard pending == .delivery, mode != .closed else { return [] }
        pending = nil
        transaction = nil
        var actions: [Action] = []
        switch outcome {
        case .stored(let reference):
            junkCount = 0
            reply(SMTPReply(250, "2.0.0", "Message accepted as \(reference)"), into: &actions)
        case .failed:
            reply(.localError, into: &actions)
        }
        finishPending(into: &actions)
        return actions
    }

    /// After a lookup or delivery is answered: close if the lifetime ran out meanwhile, else go on with the input.
    private mutating func finishPending(into actions: inout [Action]) {
        if lifetimeOver, mode != .closed {
            close(with: .sessionTimeLimit, into: &actions)
        } else {
            process(into: &actions)
        }
    }

    /// The listener's idle timer fired: 421 and close.
    package mutating func timedOut() -> [Action] {
        guard mode != .closed else { return [] }
        var actions: [Action] = []
        close(with: .timeout, into: &actions)
        return actions
    }

    /// The connection has been open `maxSessionDuration`: 421 and close, however
    /// active the client is. A lookup or delivery in flight is answered first
    /// (a stored message is acknowledged, never left for the client to resend),
    /// then the connection closes without reading further input.
    package mutating func lifetimeReached() -> [Action] {
        guard mode != .closed else { return [] }
        guard pending == nil else {
            lifetimeOver = true
            return []
        }
        var actions: [Action] = []
        close(with: .sessionTimeLimit, into: &actions)
        return actions
    }

    /// The service is draining: 421 and close.
    package mutating func shutDown() -> [Action] {
        guard mode != .closed else { return [] }
        var actions: [Action] = []
        close(with: .shuttingDown, into: &actions)
        return actions
    }

    /// Handles buffered input until it runs out, a lookup or delivery is
    /// pending, or the connection closes.
    mutating func process(into actions: inout [Action]) {
        loop: while pending == nil {
            switch mode {
            case .closed:
                break loop
            case .data(var reader):
                mode = .command
                let (next, finished) = reader.consume(buffer, from: readIndex)
                readIndex = next
                if finished {
                    dataFinished(reader, into: &actions)
                } else {
                    mode = .data(reader)
                    break loop
                }
            case .command:
                switch nextLine() {
                case .needMore:
                    break loop
                case .tooLong:
                    reply(.lineTooLong, into: &actions)
                case .line(let range):
                    handle(SMTPCommand(line: buffer[range], postmasterDomain: configuration.hostname), into: &actions)
                }
            }
        }
        compactBuffer()
    }

    enum LineResult {
        case line(Range<Int>)
        case tooLong
        case needMore
    }

    /// The next command line without its line ending (CRLF or bare LF).
    /// A line longer than `maxCommandLineLength` (counting CRLF) is dropped
    /// whole and reported once, when its end arrives.
    mutating func nextLine() -> LineResult {
        guard let newline = buffer[readIndex...].firstIndex(of: .lf) else {
            if buffer.count - readIndex >= configuration.maxCommandLineLength {
                discardingLongLine = true
                readIndex = buffer.count
            }
            return .needMore
        }
        let start = readIndex
        readIndex = newline + 1
        if discardingLongLine {
            discardingLongLine = false
            return .tooLong
        }
        var end = newline
        if end > start, buffer[end - 1] == .cr { end -= 1 }
        return end - start > configuration.maxCommandLineLength - 2 ? .tooLong : .line(start..<end)
    }

    private mutating func compactBuffer() {
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 64 * 1024)
        } else if readIndex > 0 {
            buffer.removeSubrange(0..<readIndex)
        }
        readIndex = 0
    }

    /// Appends a reply, counting 5xx replies; past `maxErrors` the connection closes with 421.
    mutating func reply(_ reply: SMTPReply, into actions: inout [Action]) {
        actions.append(.reply(reply))
        guard reply.code >= 500 else { return }
        errorCount += 1
        if errorCount >= configuration.maxErrors { close(with: .tooManyErrors, into: &actions) }
    }

    mutating func close(with reply: SMTPReply, into actions: inout [Action]) {
        actions.append(.reply(reply))
        actions.append(.close)
        mode = .closed
        pending = nil
        buffer = []
        readIndex = 0
    }
}
