import Foundation
import PurserCLI

// purser: the command-line client of every Purser service. Run `purser --help`.
let terminal = Terminal(
    out: { text in FileHandle.standardOutput.write(Data(text.utf8)) },
    err: { text in FileHandle.standardError.write(Data(text.utf8)) })
let status = await CLI.run(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment, terminal: terminal)
exit(status)
