/// One SMTP reply: a three-digit code, an RFC 3463 enhanced status code when
/// one applies, and one or more lines of text.
package struct SMTPReply: Sendable, Hashable, CustomStringConvertible {
    package var code: Int
    /// Enhanced status code such as `5.1.1`; `nil` for greetings and EHLO.
    package var enhancedCode: String?
    package var lines: [String]

    /// A single-line reply such as `550 5.1.1 text`.
    package init(_ code: Int, _ enhancedCode: String?, _ text: String) {
        self.code = code
        self.enhancedCode = enhancedCode
        self.lines = [text]
    }

    /// A multi-line reply without enhanced code, such as the EHLO capability list.
    package init(code: Int, lines: [String]) {
        self.code = code
        self.enhancedCode = nil
        self.lines = lines.isEmpty ? [""] : lines
    }

    /// Wire form: `250-first` … `250 last`, each line ending in CRLF.
    package var bytes: [UInt8] {
        var out: [UInt8] = []
        for (index, line) in lines.enumerated() {
            out += Array(String(code).utf8)
            out.append(index == lines.count - 1 ? UInt8(ascii: " ") : UInt8(ascii: "-"))
            if let enhancedCode { out += Array((enhancedCode + " ").utf8) }
            out += Array(line.utf8)
            out += [13, 10]
        }
        return out
    }

    package var description: String {
        String(decoding: bytes.filter { $0 != 13 }, as: UTF8.self)
    }
}

extension SMTPReply {
    static let ok = SMTPReply(250, "2.0.0", "OK")
    static let senderOK = SMTPReply(250, "2.1.0", "Sender OK")
    static let recipientOK = SMTPReply(250, "2.1.5", "Recipient OK")
    static let startData = SMTPReply(354, nil, "End data with <CR><LF>.<CR><LF>")
    static let bye = SMTPReply(221, "2.0.0", "Bye")
    static let help = SMTPReply(214, "2.0.0", "Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT STARTTLS")
    static let readyForTLS = SMTPReply(220, "2.0.0", "Ready to start TLS")
    static let unknownCommand = SMTPReply(500, "5.5.2", "Command not recognized")
    static let lineTooLong = SMTPReply(500, "5.5.2", "Line too long")
    static let notImplemented = SMTPReply(502, "5.5.1", "Command not implemented")
    static let verifyRefused = SMTPReply(502, "5.5.1", "VRFY and EXPN are disabled")
    static let helloFirst = SMTPReply(503, "5.5.1", "Send EHLO or HELO first")
    static let nestedMail = SMTPReply(503, "5.5.1", "Sender already given")
    static let mailFirst = SMTPReply(503, "5.5.1", "Send MAIL first")
    static let tlsAlreadyActive = SMTPReply(503, "5.5.1", "TLS already active")
    static let noValidRecipients = SMTPReply(554, "5.5.1", "No valid recipients")
    static let unknownRecipient = SMTPReply(550, "5.1.1", "Recipient address rejected: no such mailbox")
    static let recipientUnavailable = SMTPReply(450, "4.2.1", "Mailbox temporarily unavailable, try again later")
    static let localError = SMTPReply(451, "4.3.0", "Local error in processing, try again later")
    static let tooManyRecipients = SMTPReply(452, "4.5.3", "Too many recipients")
    static let messageTooBig = SMTPReply(552, "5.3.4", "Message size exceeds fixed maximum message size")
    static let bareLineEnding = SMTPReply(554, "5.6.0", "Message refused: bare CR or LF, lines must end with CRLF")
    static let tooManyErrors = SMTPReply(421, "4.7.0", "Too many errors, closing connection")
    static let tooMuchPipelining = SMTPReply(421, "4.7.0", "Too much pipelined input, closing connection")
    static let timeout = SMTPReply(421, "4.4.2", "Timeout, closing connection")
    static let sessionTimeLimit = SMTPReply(421, "4.4.2", "Session time limit reached, closing connection")
    static let tooManyJunkCommands = SMTPReply(421, "4.7.0", "Too many commands without mail, closing connection")
    static let tooManyConnections = SMTPReply(421, "4.7.0", "Too many connections, try again later")
    static let tooManyConnectionsFromAddress = SMTPReply(
        421, "4.7.0", "Too many connections from your address, try again later")
    static let shuttingDown = SMTPReply(421, "4.3.2", "Service shutting down, closing connection")

    static func syntax(_ text: String) -> SMTPReply { SMTPReply(501, "5.5.4", text) }
    static func unsupportedParameter(_ name: String) -> SMTPReply {
        SMTPReply(555, "5.5.4", "Parameter \(name) not supported")
    }
}
