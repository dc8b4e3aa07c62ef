/// One parsed command line. Parsing is separate from the session so that
/// syntax is tested on its own and the session only handles sequencing.
enum SMTPCommand: Hashable {
    case hello(clientName: String, extended: Bool)
    case mail(reversePath: MailAddress?, declaredSize: Int?, eightBit: Bool)
    case recipient(MailAddress)
    case data
    case reset
    case noop
    case quit
    case verify
    case help
    case startTLS
    /// The line is not a command; answer with this reply.
    case invalid(SMTPReply)
}

extension SMTPCommand {
    /// Whether the command moves no message forward: NOOP, RSET, HELP, VRFY, EXPN, EHLO and HELO.
    /// A session allows `maxJunkCommands` of them between stored messages.
    var isJunk: Bool {
        switch self {
        case .noop, .reset, .help, .verify, .hello: true
        case .mail, .recipient, .data, .quit, .startTLS, .invalid: false
        }
    }

    /// Parses one command line (without its line ending). Verbs and parameter
    /// names are case-insensitive. `postmasterDomain` completes `<postmaster>`.
    init(line: ArraySlice<UInt8>, postmasterDomain: String) {
        let space = line.firstIndex(of: UInt8(ascii: " ")) ?? line.endIndex
        let verb = String(decoding: line[line.startIndex..<space], as: UTF8.self).uppercased()
        var argument = line[space...]
        while argument.first == UInt8(ascii: " ") { argument = argument.dropFirst() }
        while argument.last == UInt8(ascii: " ") || argument.last == UInt8(ascii: "\t") { argument = argument.dropLast() }

        switch verb {
        case "EHLO", "HELO":
            guard !argument.isEmpty, argument.allSatisfy({ $0 > 32 && $0 < 127 }) else {
                self = .invalid(.syntax("Syntax: \(verb) hostname"))
                return
            }
            self = .hello(clientName: String(decoding: argument, as: UTF8.self), extended: verb == "EHLO")
        case "MAIL":
            self = Self.parseMail(argument)
        case "RCPT":
            self = Self.parseRecipient(argument, postmasterDomain: postmasterDomain)
        case "DATA":
            self = argument.isEmpty ? .data : .invalid(.syntax("Syntax: DATA"))
        case "RSET":
            self = argument.isEmpty ? .reset : .invalid(.syntax("Syntax: RSET"))
        case "NOOP":
            self = .noop
        case "QUIT":
            self = .quit
        case "VRFY", "EXPN":
            self = .verify
        case "HELP":
            self = .help
        case "STARTTLS":
            self = argument.isEmpty ? .startTLS : .invalid(.syntax("Syntax: STARTTLS"))
        default:
            self = .invalid(.unknownCommand)
        }
    }

    private static func parseMail(_ argument: ArraySlice<UInt8>) -> SMTPCommand {
        guard let (path, parameters) = splitPath(argument, keyword: "FROM:") else {
            return .invalid(.syntax("Syntax: MAIL FROM:<address>"))
        }
        var reversePath: MailAddress?
        if !path.isEmpty {
            guard let address = MailAddress(pathContent: path) else {
                return .invalid(SMTPReply(501, "5.1.7", "Bad sender address syntax"))
            }
            reversePath = address
        }
        var declaredSize: Int?
        var eightBit = false
        for parameter in parameters {
            switch parameter.name {
            case "SIZE":
                guard let value = parameter.value, !value.isEmpty, value.utf8.count <= 18,
                    value.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                    let size = Int(value)
                else { return .invalid(.syntax("Syntax: SIZE=<bytes>")) }
                declaredSize = size
            case "BODY":
                switch parameter.value?.uppercased() {
                case "7BIT": eightBit = false
                case "8BITMIME": eightBit = true
                default: return .invalid(.syntax("Syntax: BODY=7BIT or BODY=8BITMIME"))
                }
            default:
                return .invalid(.unsupportedParameter(parameter.name))
            }
        }
        return .mail(reversePath: reversePath, declaredSize: declaredSize, eightBit: eightBit)
    }

    private static func parseRecipient(_ argument: ArraySlice<UInt8>, postmasterDomain: String) -> SMTPCommand {
        guard let (path, parameters) = splitPath(argument, keyword: "TO:") else {
            return .invalid(.syntax("Syntax: RCPT TO:<address>"))
        }
        if let parameter = parameters.first { return .invalid(.unsupportedParameter(parameter.name)) }
        if String(decoding: path, as: UTF8.self).lowercased() == "postmaster" {
            return .recipient(MailAddress(localPart: "postmaster", domain: postmasterDomain))
        }
        guard let address = MailAddress(pathContent: path) else {
            return .invalid(SMTPReply(501, "5.1.3", "Bad recipient address syntax"))
        }
        return .recipient(address)
    }

    /// Splits `FROM:<path> PARAM=value …` into the path's content and its
    /// parameters. Tolerates spaces after the colon; requires the brackets.
    private static func splitPath(
        _ argument: ArraySlice<UInt8>, keyword: String
    ) -> (ArraySlice<UInt8>, [(name: String, value: String?)])? {
        let keywordBytes = Array(keyword.utf8)
        guard argument.count >= keywordBytes.count,
            zip(argument.prefix(keywordBytes.count), keywordBytes).allSatisfy({ asciiUppercase($0) == $1 })
        else { return nil }
        var rest = argument.dropFirst(keywordBytes.count)
        while rest.first == UInt8(ascii: " ") { rest = rest.dropFirst() }
        guard rest.first == UInt8(ascii: "<"), let close = rest.firstIndex(of: UInt8(ascii: ">")) else { return nil }
        let path = rest[(rest.startIndex + 1)..<close]
        let tail = rest[(close + 1)...]
        guard tail.isEmpty || tail.first == UInt8(ascii: " ") else { return nil }
        var parameters: [(name: String, value: String?)] = []
        for word in tail.split(separator: UInt8(ascii: " ")) {
            guard word.allSatisfy({ $0 > 32 && $0 < 127 }) else { return nil }
            if let equals = word.firstIndex(of: UInt8(ascii: "=")) {
                parameters.append(
                    (
                        String(decoding: word[word.startIndex..<equals], as: UTF8.self).uppercased(),
                        String(decoding: word[(equals + 1)...], as: UTF8.self)
                    ))
            } else {
                parameters.append((String(decoding: word, as: UTF8.self).uppercased(), nil))
            }
        }
        return (path, parameters)
    }

    private static func asciiUppercase(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) ? byte - 32 : byte
    }
}
