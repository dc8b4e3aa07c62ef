extension SMTPSession {
    /// Applies one command in the current state (RFC 5321 section 4.1.4 ordering).
    mutating func handle(_ command: SMTPCommand, into actions: inout [Action]) {
        if command.isJunk {
            junkCount += 1
            guard junkCount <= configuration.maxJunkCommands else {
                return close(with: .tooManyJunkCommands, into: &actions)
            }
        }
        switch command {
        case .invalid(let reply):
            self.reply(reply, into: &actions)
        case .hello(let name, let extended):
            clientName = name
            transaction = nil
            self.reply(extended ? ehloReply() : SMTPReply(250, nil, configuration.hostname), into: &actions)
        case .mail(let sender, let declaredSize, let eightBit):
            guard clientName != nil else { return self.reply(.helloFirst, into: &actions) }
            guard transaction == nil else { return self.reply(.nestedMail, into: &actions) }
            if let declaredSize, declaredSize > configuration.maxMessageSize {
                return self.reply(.messageTooBig, into: &actions)
            }
            transaction = Transaction(sender: sender, declaredSize: declaredSize, eightBitMIME: eightBit)
            self.reply(.senderOK, into: &actions)
        case .recipient(let address):
            guard let transaction else { return self.reply(.mailFirst, into: &actions) }
            if transaction.recipients.contains(where: { $0.lookupKey == address.lookupKey }) {
                return self.reply(.recipientOK, into: &actions)
            }
            guard transaction.recipients.count < configuration.maxRecipients else {
                return self.reply(.tooManyRecipients, into: &actions)
            }
            pending = .recipient(address)
            actions.append(.checkRecipient(address))
        case .data:
            guard let transaction else { return self.reply(.mailFirst, into: &actions) }
            guard !transaction.recipients.isEmpty else { return self.reply(.noValidRecipients, into: &actions) }
            mode = .data(SMTPDataReader(limit: configuration.maxMessageSize))
            self.reply(.startData, into: &actions)
        case .reset:
            transaction = nil
            self.reply(.ok, into: &actions)
        case .noop:
            self.reply(.ok, into: &actions)
        case .quit:
            actions.append(.reply(.bye))
            actions.append(.close)
            mode = .closed
        case .verify:
            self.reply(.verifyRefused, into: &actions)
        case .help:
            self.reply(.help, into: &actions)
        case .startTLS:
            guard configuration.startTLSAvailable else { return self.reply(.notImplemented, into: &actions) }
            guard !isTLSActive else { return self.reply(.tlsAlreadyActive, into: &actions) }
            guard clientName != nil else { return self.reply(.helloFirst, into: &actions) }
            guard transaction == nil else { return self.reply(.nestedMail, into: &actions) }
            self.reply(.readyForTLS, into: &actions)
            actions.append(.startTLS)
            beginTLS()
        }
    }

    /// Forgets everything learnt before TLS (RFC 3207 section 4.2), including
    /// input already buffered behind the STARTTLS command.
    private mutating func beginTLS() {
        isTLSActive = true
        clientName = nil
        transaction = nil
        buffer.removeAll()
        readIndex = 0
        discardingLongLine = false
    }

    private func ehloReply() -> SMTPReply {
        var lines = [
            configuration.hostname, "SIZE \(configuration.maxMessageSize)", "PIPELINING", "8BITMIME",
            "ENHANCEDSTATUSCODES",
        ]
        if configuration.startTLSAvailable && !isTLSActive { lines.append("STARTTLS") }
        return SMTPReply(code: 250, lines: lines)
    }

    /// The end marker arrived: refuse an oversized or malformed message, or ask the listener to store it.
    mutating func dataFinished(_ reader: SMTPDataReader, into actions: inout [Action]) {
        guard let transaction else { return }
        if reader.oversized {
            self.transaction = nil
            return reply(.messageTooBig, into: &actions)
        }
        if reader.sawBareLineEnding {
            self.transaction = nil
            return reply(.bareLineEnding, into: &actions)
        }
        let envelope = SMTPEnvelope(
            clientName: clientName ?? "", sender: transaction.sender, recipients: transaction.recipients,
            declaredSize: transaction.declaredSize, eightBitMIME: transaction.eightBitMIME, overTLS: isTLSActive)
        pending = .delivery
        actions.append(.deliver(envelope, message: reader.message))
    }
}
