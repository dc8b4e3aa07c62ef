import PurserKit
import Testing

@testable import PurserCLI

@Suite struct ArgumentParserTests {
    static let root = CommandSpec(group: "", "test root", [
        CommandSpec(group: "wallet", "wallet group", [
            CommandSpec("fund", "fund", flags: [.required("amount", "AMOUNT", "amount"), .optional("description", "TEXT", "note")]),
            CommandSpec("balance", "balance", flags: [.optional("agent", "ID", "agent")]),
        ]),
        CommandSpec(group: "policy", "policy group", [
            CommandSpec("set", "set", flags: [.repeated("limit", "L", "limit"), .toggle("dry-run", "do nothing")]),
        ]),
    ])
    static let globals: [FlagSpec] = [.toggle("json", "json"), .optional("profile", "NAME", "profile")]
    let parser = ArgumentParser(root: root, globals: globals)

    func run(_ arguments: [String]) throws -> ParsedCommand {
        guard case .run(let command) = try parser.parse(arguments) else {
            Issue.record("expected a command to run for \(arguments)")
            return ParsedCommand(path: [])
        }
        return command
    }

    func usageError(_ arguments: [String]) -> UsageError? {
        do {
            _ = try parser.parse(arguments)
            return nil
        } catch {
            return error
        }
    }

    @Test func parsesSpaceAndEqualsSeparatedValues() throws {
        let command = try run(["wallet", "fund", "--amount", "12.5", "--description=first top-up"])
        #expect(command.path == ["wallet", "fund"])
        #expect(command.string("amount") == "12.5")
        #expect(command.string("description") == "first top-up")
    }

    @Test func globalFlagsAreAcceptedBeforeAndAfterTheCommandWords() throws {
        let before = try run(["--json", "--profile", "dev", "wallet", "balance"])
        let after = try run(["wallet", "balance", "--json", "--profile=dev"])
        for command in [before, after] {
            #expect(command.flag("json"))
            #expect(command.string("profile") == "dev")
        }
    }

    @Test func negativeNumbersAreValuesButDoubleDashWordsAreNot() throws {
        #expect(try run(["wallet", "fund", "--amount", "-5"]).string("amount") == "-5")
        #expect(usageError(["wallet", "fund", "--amount", "--json"])?.reason == "missing_value")
        #expect(try run(["wallet", "fund", "--amount=--json"]).string("amount") == "--json")
    }

    @Test func repeatedFlagsKeepEveryValueInOrder() throws {
        let command = try run(["policy", "set", "--limit", "daily=20", "--limit", "hourly=2", "--dry-run"])
        #expect(command.strings("limit") == ["daily=20", "hourly=2"])
        #expect(command.flag("dry-run"))
    }

    @Test func aSingleValueFlagGivenTwiceIsRefused() {
        #expect(usageError(["wallet", "fund", "--amount", "1", "--amount", "2"])?.reason == "repeated_flag")
    }

    @Test func aMissingRequiredFlagIsNamed() {
        let error = usageError(["wallet", "fund"])
        #expect(error?.reason == "missing_flag")
        #expect(error?.message.contains("--amount AMOUNT") == true)
        #expect(error?.path == ["wallet", "fund"])
    }

    @Test func unknownCommandsSuggestTheClosestName() {
        let error = usageError(["walet", "fund"])
        #expect(error?.reason == "unknown_command")
        #expect(error?.message.contains("did you mean \"wallet\"") == true)
        #expect(usageError(["wallet", "xyzzy"])?.message.contains("did you mean") == false)
    }

    @Test func unknownFlagsSuggestTheClosestName() {
        let error = usageError(["wallet", "fund", "--amout", "1"])
        #expect(error?.reason == "unknown_flag")
        #expect(error?.message.contains("--amount") == true)
    }

    @Test func aCommandFlagIsUnknownAtGroupLevel() {
        #expect(usageError(["wallet", "--amount", "1", "fund"])?.reason == "unknown_flag")
    }

    @Test func togglesTakeNoValue() {
        #expect(usageError(["policy", "set", "--dry-run=yes"])?.reason == "unexpected_argument")
    }

    @Test func positionalArgumentsAfterALeafAreRefused() {
        #expect(usageError(["wallet", "balance", "agent-7"])?.reason == "unexpected_argument")
    }

    @Test func aGroupWithoutSubcommandIsAUsageErrorForThatGroup() {
        let error = usageError(["wallet"])
        #expect(error?.reason == "missing_command")
        #expect(error?.path == ["wallet"])
        #expect(usageError([])?.reason == "missing_command")
    }

    @Test(arguments: [
        (["--help"], [String]()), (["-h"], []), (["help"], []), (["wallet", "--help"], ["wallet"]), (["wallet", "help"], ["wallet"]),
        (["wallet", "fund", "--help"], ["wallet", "fund"]), (["wallet", "fund", "--amount", "x", "-h"], ["wallet", "fund"]),
        (["wallet", "fund", "--help", "--bogus"], ["wallet", "fund"]),
    ])
    func helpIsAnsweredAtEveryLevel(arguments: [String], path: [String]) throws {
        #expect(try parser.parse(arguments) == .help(path: path))
    }

    @Test func helpTextListsSubcommandsFlagsAndGlobals() {
        let group = Self.root.helpText(path: ["wallet"], globals: Self.globals)
        #expect(group.hasPrefix("Usage: purser wallet <command> [flags]"))
        #expect(group.contains("  fund "))
        #expect(group.contains("  balance "))
        let leaf = Self.root.helpText(path: ["wallet", "fund"], globals: Self.globals)
        #expect(leaf.hasPrefix("Usage: purser wallet fund --amount AMOUNT [flags]"))
        #expect(leaf.contains("--description TEXT"))
        #expect(leaf.contains("amount (required)"))
        #expect(leaf.contains("Global flags:"))
        #expect(leaf.contains("--profile NAME"))
    }

    @Test func editDistanceCountsInsertionsDeletionsAndSubstitutions() {
        #expect(ArgumentParser.editDistance(Array("wallet".utf8), Array("walet".utf8)) == 1)
        #expect(ArgumentParser.editDistance(Array("fund".utf8), Array("fudn".utf8)) == 2)
        #expect(ArgumentParser.editDistance(Array("".utf8), Array("abc".utf8)) == 3)
        #expect(ArgumentParser.editDistance(Array("same".utf8), Array("same".utf8)) == 0)
    }

    @Test func everyCommandOfThePurserTreeHasAHandlerAndHelp() {
        func leaves(_ spec: CommandSpec, _ path: [String]) -> [[String]] {
            spec.isGroup ? spec.subcommands.flatMap { leaves($0, path + [$0.name]) } : [path]
        }
        let paths = leaves(CLI.parser.root, [])
        #expect(paths.count >= 40)
        for path in paths {
            #expect(CLI.handlers[path.joined(separator: " ")] != nil, "no handler for \(path)")
            #expect(CLI.parser.root.helpText(path: path, globals: CLI.globals).contains("Usage: purser \(path.joined(separator: " "))"))
        }
    }
}
