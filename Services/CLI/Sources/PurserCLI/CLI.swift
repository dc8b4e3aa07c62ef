import Foundation
import PurserClient
import PurserJSON
import PurserKit
import PurserRPC

/// The `purser` command: parses the command line, resolves the settings,
/// runs the command and maps the outcome to an exit status — 0 success,
/// 1 refused or failed (the reason on stderr), 2 usage error.
public enum CLI {
    /// Flags every command accepts.
    public static let globals: [FlagSpec] = [
        .toggle("json", "print the result as JSON (for scripts and agents)"),
        .optional("profile", "NAME", "use section [NAME] of the profile file"),
        .optional("config", "FILE", "profile file (default $PURSER_CONFIG or ~/.config/purser/config)"),
        .optional("secret", "SECRET", "credentials: an operator, tenant, agent or provider secret ($PURSER_SECRET)"),
        .optional("tenant", "ID", "tenant to act on ($PURSER_TENANT; default: the caller's own)"),
        .optional("ca", "FILE", "CA certificate of the deployment ($PURSER_CA)"),
        .optional("cert", "FILE", "client certificate for mutual TLS ($PURSER_CERT)"),
        .optional("key", "FILE", "private key of --cert ($PURSER_KEY)"),
        .optional("timeout", "DURATION", "longest a call may take, e.g. 10s ($PURSER_TIMEOUT; default 30s)"),
    ] + ServiceName.allCases.map {
        .optional("\($0.rawValue)-endpoint", "HOST:PORT", "\($0.rawValue) service ($PURSER_ENDPOINT_\($0.rawValue.uppercased()))")
    }

    /// The whole command tree.
    public static let tree = CommandNode.group(
        name: "", summary: "purser: payment accounts for AI agents.",
        details: "Every command takes --json. Amounts are decimals (12, 0.25); exit status 0 = ok, 1 = refused or failed, 2 = usage.",
        [adminCommands, keysCommands, agentsCommands, walletCommands, policyCommands, settlementCommands, emailCommands,
         webhooksCommands, healthCommand])

    /// The parser for `tree` and `globals`.
    public static let parser = ArgumentParser(root: tree.spec, globals: globals)

    /// Runs one command line (without the program name) and returns the exit status.
    public static func run(
        _ arguments: [String], environment: [String: String], terminal: Terminal,
        readFile: @escaping (String) -> String? = CLI.readFile
    ) async -> Int32 {
        let json = arguments.contains("--json")
        let command: ParsedCommand
        do {
            switch try parser.parse(arguments) {
            case .help(let path):
                terminal.out(parser.root.helpText(path: path, globals: globals))
                return 0
            case .run(let parsed):
                command = parsed
            }
        } catch {
            return usage(error, terminal: terminal)
        }
        let settings: CLISettings
        do {
            settings = try CLISettings.resolve(command: command, environment: environment, readFile: readFile)
        } catch {
            return usage(error, terminal: terminal)
        }
        guard let handler = handlers[command.path.joined(separator: " ")] else {
            return usage(UsageError(reason: "unknown_command", "no such command", path: command.path), terminal: terminal)
        }
        let logger = Logger(label: "purser", level: .error)
        let context = CommandContext(command: command, settings: settings, logger: logger)
        defer { context.closeClients() }
        do {
            let output = try await handler(context)
            terminal.out(json ? output.json.rendered() : output.text)
            return 0
        } catch let error as UsageError {
            return usage(error, terminal: terminal)
        } catch let error as PurserClientError {
            terminal.err("purser: \(error.reason ?? error.code.name.lowercased()): \(describe(error))\n")
            if json { terminal.out(errorJSON(error).rendered()) }
            return 1
        } catch let failure as CommandFailure {
            if let output = failure.output { terminal.out(json ? output.json.rendered() : output.text) }
            terminal.err("purser: \(failure.reason): \(failure.message)\n")
            if json, failure.output == nil {
                terminal.out(JSONValue.members([("error", .members([("reason", .string(failure.reason)), ("message", .string(failure.message))]))]).rendered())
            }
            return 1
        } catch {
            terminal.err("purser: failed: \(error)\n")
            return 1
        }
    }

    static let handlers: [String: CommandHandler] = tree.handlers()

    static func usage(_ error: UsageError, terminal: Terminal) -> Int32 {
        let command = (["purser"] + error.path).joined(separator: " ")
        terminal.err("purser: \(error.message)\nRun `\(command) --help` for usage.\n")
        return 2
    }

    /// The message of a service's refusal, with the rule and headroom of policy denials.
    static func describe(_ error: PurserClientError) -> String {
        var text = error.message
        if let rule = error.rule { text += " (rule \(rule)" + (error.headroom.map { ", headroom \($0)" } ?? "") + ")" }
        else if let headroom = error.headroom { text += " (headroom \(headroom))" }
        if let available = error.metadata["available_micros"], let micros = Int64(available) {
            text += " (available \(Money(micros: micros)))"
        }
        return text
    }

    static func errorJSON(_ error: PurserClientError) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("code", .string(error.code.name)), ("reason", error.reason.map(JSONValue.string) ?? .null),
            ("message", .string(error.message)),
        ]
        if let rule = error.rule { members.append(("rule", .string(rule))) }
        if let headroom = error.headroom { members += Render.amount("headroom", headroom.micros) }
        if let available = error.metadata["available_micros"], let micros = Int64(available) {
            members += Render.amount("available", micros)
        }
        return .members([("error", .members(members))])
    }

    /// Reads a whole file as UTF-8; nil when it cannot be read.
    public static func readFile(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
