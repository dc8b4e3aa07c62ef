#!/usr/bin/env python3
"""Writes the Swift wire types of PurserAPI (and PurserRPC's health types) from the .proto files.

    python3 deploy/wiregen/generate.py [--output ROOT]       (or: deploy/dev generate)

Compiles Shared/PurserAPI/proto/*.proto with protoc (grpcio-tools) into a
descriptor set with source info and writes, under ROOT (default: the
repository), for each file of FILES into its module's `Generated/` folder:
`<file>.pb.swift`, a `WireMessage` struct per message and a `WireEnum` struct
per enum (PurserWire only, so the fuzz targets compile them alone), and
`<file>.methods.pb.swift`, the `<Service>Methods` table of `MethodDescriptor`s.
Nothing else is written; hand-written conveniences live beside them as
extensions (`Type+What.swift`).

Rules (also in Shared/PurserAPI/proto/CONVENTIONS.md):
- Properties are the fields' names in lowerCamelCase, with the acronyms of
  ACRONYMS in capitals after the first word (`provider_id` -> `providerID`).
- A proto3 `optional` field (scalar or message) is a Swift Optional; any other
  message field is a plain value whose absence reads as the empty message.
- Enum cases drop the enum's upper-snake prefix (`ACCOUNT_STATUS_ACTIVE` ->
  `active`); `description` follows DESCRIPTIONS.
- A method is `idempotent` when its `idempotency_level` is IDEMPOTENT or
  NO_SIDE_EFFECTS.
- A line `swift: Name` in a message's leading comment names its Swift type.
  Messages that name the same Swift type must have identical fields; they
  share one struct and each proto name becomes a typealias of it. On a
  service, it names the method table (default `<Service>Methods`).
- Doc comments are the .proto comments (the `swift:` lines left out).
"""

import argparse
import base64
import os
import re
import subprocess
import sys
import tempfile

from google.protobuf import descriptor_pb2

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
PROTO_DIR = os.path.join(ROOT, "Shared", "PurserAPI", "proto")
# Each schema and the module whose `Generated/` folder holds its Swift code.
FILES = {
    "health.proto": "Shared/PurserRPC",
    "identity.proto": "Shared/PurserAPI",
    "wallet.proto": "Shared/PurserAPI",
    "policy.proto": "Shared/PurserAPI",
    "settlement.proto": "Shared/PurserAPI",
    "email.proto": "Shared/PurserAPI",
}
COMMAND = "deploy/dev generate"

# Words written in capitals when they are not the first word of a name.
ACRONYMS = {"id": "ID", "ids": "IDs", "ttl": "TTL", "url": "URL", "json": "JSON", "tls": "TLS"}

# How each enum's `description` reads, by full proto name (the default for
# every other enum: a named value is its lowercase name without the enum's
# prefix, the zero value and unnamed numbers `<last word of the type>_<n>`).
#   "number": unnamed values (and zero) read as the bare number;
#   "proto":  every value reads as its proto name, unnamed `Type(<n>)`.
DESCRIPTIONS = {
    "purser.wallet.v1.LedgerEntryKind": "number",
    "purser.wallet.v1.AccountStatus": "number",
    "purser.policy.v1.PolicyLevel": "proto",
    "purser.health.v1.ServingStatus": "proto",
}

SWIFT_KEYWORDS = {
    "as", "associatedtype", "break", "case", "catch", "class", "continue", "default", "defer", "deinit", "do",
    "else", "enum", "extension", "fallthrough", "false", "fileprivate", "for", "func", "guard", "if", "import",
    "in", "init", "inout", "internal", "is", "let", "nil", "operator", "private", "protocol", "public", "repeat",
    "rethrows", "return", "self", "Self", "static", "struct", "subscript", "super", "switch", "throw", "throws",
    "true", "try", "typealias", "var", "where", "while", "Type", "Protocol", "any", "some",
}

F = descriptor_pb2.FieldDescriptorProto
# proto scalar type -> (Swift type, integer encoding argument or None, Swift default)
SCALARS = {
    F.TYPE_DOUBLE: ("Double", None, "0"),
    F.TYPE_FLOAT: ("Float", None, "0"),
    F.TYPE_INT64: ("Int64", None, "0"),
    F.TYPE_UINT64: ("UInt64", None, "0"),
    F.TYPE_INT32: ("Int32", None, "0"),
    F.TYPE_UINT32: ("UInt32", None, "0"),
    F.TYPE_FIXED64: ("UInt64", ".fixed", "0"),
    F.TYPE_FIXED32: ("UInt32", ".fixed", "0"),
    F.TYPE_SFIXED64: ("Int64", ".fixed", "0"),
    F.TYPE_SFIXED32: ("Int32", ".fixed", "0"),
    F.TYPE_SINT64: ("Int64", ".sint", "0"),
    F.TYPE_SINT32: ("Int32", ".sint", "0"),
    F.TYPE_BOOL: ("Bool", None, "false"),
    F.TYPE_STRING: ("String", None, '""'),
    F.TYPE_BYTES: ("[UInt8]", None, "[]"),
}

# source_code_info paths: FileDescriptorProto.message_type = 4, .enum_type = 5, .service = 6;
# DescriptorProto.field = 2; EnumDescriptorProto.value = 2; ServiceDescriptorProto.method = 2;
# FileDescriptorProto.syntax = 12.
MESSAGE, ENUM, SERVICE, MEMBER, SYNTAX = 4, 5, 6, 2, 12
DIRECTIVE = re.compile(r"^\s*swift:\s*(\S+)\s*$")


class GenerationError(Exception):
    pass


def lower_camel(snake):
    words = snake.lower().split("_")
    return words[0] + "".join(ACRONYMS.get(word, word[:1].upper() + word[1:]) for word in words[1:])


def upper_snake(camel):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", camel).upper()


def identifier(name):
    return f"`{name}`" if name in SWIFT_KEYWORDS else name


class Comments:
    """The leading comments of one file's declarations, by source path."""

    def __init__(self, file):
        self.leading = {}
        self.detached = {}
        for location in file.source_code_info.location:
            path = tuple(location.path)
            if location.leading_comments:
                self.leading[path] = location.leading_comments
            if location.leading_detached_comments:
                self.detached[path] = list(location.leading_detached_comments)

    def lines(self, path):
        """The leading comment of `path` as lines, without `swift:` directives."""
        return [line for line in split_comment(self.leading.get(path, "")) if not DIRECTIVE.match(line)]

    def directive(self, path):
        names = [DIRECTIVE.match(line).group(1) for line in split_comment(self.leading.get(path, ""))
                 if DIRECTIVE.match(line)]
        if len(names) > 1:
            raise GenerationError(f"more than one `swift:` line at {path}")
        return names[0] if names else None


def split_comment(text):
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[1:] if line.startswith(" ") else line for line in lines]


def doc(lines, indent=""):
    return [f"{indent}///" + (f" {line}" if line else "") for line in lines]


class Field:
    def __init__(self, message_name, field, comments, path, types):
        self.number = field.number
        self.name = lower_camel(field.name)
        self.doc = comments.lines(path)
        repeated = field.label == F.LABEL_REPEATED
        optional = field.proto3_optional
        if field.HasField("oneof_index") and not optional:
            raise GenerationError(f"{message_name}.{field.name}: oneof is not supported")
        self.encoding_arguments = ""
        if field.type == F.TYPE_MESSAGE and repeated and types.is_map_entry(field.type_name):
            key, value = types.map_entry(field.type_name)
            key_type, key_encoding, _ = self.value_type(key, types)
            value_type, value_encoding, _ = self.value_type(value, types)
            self.swift_type = f"[{key_type}: {value_type}]"
            self.default = "[:]"
            arguments = []
            if key_encoding:
                arguments.append(f"key: {key_encoding}")
            if value_encoding and value.type != F.TYPE_MESSAGE:
                arguments.append(f"value: {value_encoding}")
            self.encoding_arguments = "".join(", " + argument for argument in arguments)
            return
        base, encoding, default = self.value_type(field, types)
        if encoding:
            self.encoding_arguments = f", {encoding}"
        if repeated:
            self.swift_type, self.default = f"[{base}]", "[]"
        elif optional:
            self.swift_type, self.default = f"{base}?", None
        else:
            self.swift_type, self.default = base, default

    @staticmethod
    def value_type(field, types):
        if field.type in SCALARS:
            return SCALARS[field.type]
        if field.type == F.TYPE_ENUM:
            swift, zero = types.enum(field.type_name)
            return swift, None, f".{zero}"
        if field.type == F.TYPE_MESSAGE:
            swift = types.message(field.type_name)
            return swift, None, f"{swift}()"
        raise GenerationError(f"field {field.name}: type {field.type} is not supported")

    def shape(self):
        return (self.number, self.name, self.swift_type, self.encoding_arguments)


class Types:
    """Every message and enum of every compiled file, by full proto name."""

    def __init__(self, files):
        self.messages = {}
        self.enums = {}
        self.entries = {}
        for file in files:
            comments = Comments(file)
            for index, message in enumerate(file.message_type):
                full = f".{file.package}.{message.name}"
                for nested in message.nested_type:
                    if nested.options.map_entry:
                        self.entries[f"{full}.{nested.name}"] = nested
                    else:
                        raise GenerationError(f"{full}: nested messages are not supported")
                if message.enum_type:
                    raise GenerationError(f"{full}: nested enums are not supported")
                self.messages[full] = comments.directive((MESSAGE, index)) or message.name
            for enum in file.enum_type:
                zero = [value for value in enum.value if value.number == 0]
                self.enums[f".{file.package}.{enum.name}"] = (enum.name, case_name(enum, zero[0].name))

    def message(self, type_name):
        return self.messages[type_name]

    def shared(self, swift):
        """Whether several messages share the Swift type `swift`."""
        return list(self.messages.values()).count(swift) > 1

    def message_reference(self, type_name):
        """How a method names the message: its proto name when that is a typealias of a shared struct."""
        swift = self.messages[type_name]
        return type_name.rsplit(".", 1)[1] if self.shared(swift) else swift

    def enum(self, type_name):
        return self.enums[type_name]

    def is_map_entry(self, type_name):
        return type_name in self.entries

    def map_entry(self, type_name):
        entry = self.entries[type_name]
        fields = {field.name: field for field in entry.field}
        return fields["key"], fields["value"]


def case_name(enum, value_name):
    prefix = upper_snake(enum.name) + "_"
    return lower_camel(value_name[len(prefix):] if value_name.startswith(prefix) else value_name)


def header(file, comments, with_proto_header=True):
    lines = [f"// Generated by `{COMMAND}` (deploy/wiregen/generate.py) from proto/{file.name}. Do not edit."]
    if not with_proto_header:
        return lines
    blocks = comments.detached.get((SYNTAX,), []) + [comments.leading.get((SYNTAX,), "")]
    for block in filter(None, blocks):
        lines += ["//"] + [f"//{(' ' + line) if line else ''}" for line in split_comment(block)]
    return lines


def generate_types(file, types):
    """`<file>.pb.swift`: the file's enums and messages."""
    comments = Comments(file)
    package = file.package
    stem = file.name[: -len(".proto")]
    out = header(file, comments, with_proto_header=not file.service)
    if file.service:
        out.append(f"// Who may call what, and the methods: {stem}.methods.pb.swift.")
    out += ["", "import PurserWire"]
    for index, enum in enumerate(file.enum_type):
        out += [""] + generate_enum(package, enum, index, comments)

    groups = {}
    for index, message in enumerate(file.message_type):
        swift = types.message(f".{package}.{message.name}")
        fields = [Field(message.name, field, comments, (MESSAGE, index, MEMBER, field_index), types)
                  for field_index, field in enumerate(message.field)]
        groups.setdefault(swift, []).append((index, message, fields))
    emitted = set()
    for message in file.message_type:
        swift = types.message(f".{package}.{message.name}")
        if swift in emitted:
            continue
        emitted.add(swift)
        members = groups[swift]
        shapes = {tuple(field.shape() for field in fields) for _, _, fields in members}
        if len(shapes) != 1:
            names = ", ".join(member.name for _, member, _ in members)
            raise GenerationError(f"{names} share the Swift type {swift} but their fields differ")
        out += [""] + generate_message(package, swift, members, comments)
    return "\n".join(out) + "\n"


def generate_methods(file, types, module):
    """`<file>.methods.pb.swift`: the method table of each service of the file."""
    comments = Comments(file)
    out = header(file, comments)
    if module != "PurserRPC":
        out += ["", "import PurserRPC"]
    for index, service in enumerate(file.service):
        out += [""] + generate_service(file.package, service, index, comments, types)
    return "\n".join(out) + "\n"


def generate_enum(package, enum, index, comments):
    name = enum.name
    out = doc([f"`{package}.{name}`."] + paragraph(comments.lines((ENUM, index))))
    out += [
        f"public struct {name}: WireEnum, Hashable, CustomStringConvertible {{",
        "    public var rawValue: Int32",
        "    public init(rawValue: Int32) { self.rawValue = rawValue }",
        "",
    ]
    for value_index, value in enumerate(enum.value):
        out += doc(comments.lines((ENUM, index, MEMBER, value_index)), "    ")
        out.append(f"    public static let {identifier(case_name(enum, value.name))} = {name}(rawValue: {value.number})")
    style = DESCRIPTIONS.get(f"{package}.{name}", "lowercase")
    prefix = upper_snake(name) + "_"
    out.append("")
    if style == "proto":
        out.append("    /// The proto name of the value, or `" + name + "(<number>)`.")
        out += ["    public var description: String {", "        switch rawValue {"]
        for value in enum.value:
            out.append(f'        case {value.number}: "{value.name}"')
        out.append(f'        default: "{name}(\\(rawValue))"')
    else:
        named = [value for value in enum.value if value.number != 0]
        lowercase = [(value, (value.name[len(prefix):] if value.name.startswith(prefix) else value.name).lower())
                     for value in named]
        unnamed = "\\(rawValue)" if style == "number" else f"{re.findall('[A-Z][a-z0-9]*', name)[-1].lower()}_\\(rawValue)"
        example = f" (`{lowercase[0][1]}`…)" if lowercase else ""
        out.append(f"    /// The lowercase name{example}, or `{unnamed.replace(chr(92) + '(rawValue)', '<number>')}`.")
        out += ["    public var description: String {", "        switch self {"]
        for value, text in lowercase:
            out.append(f'        case .{identifier(case_name(enum, value.name))}: "{text}"')
        out.append(f'        default: "{unnamed}"')
    out += ["        }", "    }", "}"]
    return out


def paragraph(lines):
    return [""] + lines if lines else []


def generate_message(package, swift, members, comments):
    out = []
    fields = members[0][2]
    names = [member.name for _, member, _ in members]
    title = ", ".join(f"`{package}.{name}`" for name in names) + "."
    lines = [title]
    seen = []
    for index, member, _ in members:
        text = comments.lines((MESSAGE, index))
        if text and text not in seen:
            seen.append(text)
            lines += paragraph(text)
    out += doc(lines)
    out.append(f"public struct {swift}: WireMessage, Hashable {{")
    for field in fields:
        out += doc(field.doc, "    ")
        default = f" = {field.default}" if field.default is not None else ""
        out.append(f"    public var {identifier(field.name)}: {field.swift_type}{default}")
    out.append("")
    out.append("    public init() {}")
    out.append("")
    if fields:
        out.append("    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {")
        for field in fields:
            out.append(f"        try t.field({field.number}, &{identifier(field.name)}{field.encoding_arguments})")
        out.append("    }")
    else:
        out.append("    public mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {}")
    out.append("}")
    for _, member, _ in members:
        if len(members) > 1 and member.name != swift:
            out += ["", f"/// `{package}.{member.name}`: the same fields as `{swift}`.",
                    f"public typealias {member.name} = {swift}"]
    return out


def generate_service(package, service, index, comments, types):
    enum = comments.directive((SERVICE, index)) or f"{service.name}Methods"
    full = f"{package}.{service.name}"
    out = doc([f"The methods of `{full}`, typed by request and response; `idempotent`",
               "when the method's `idempotency_level` says so."] + paragraph(comments.lines((SERVICE, index))))
    out += [f"public enum {enum} {{", f'    static let prefix = "{full}/"']
    levels = descriptor_pb2.MethodOptions
    names = []
    for method_index, method in enumerate(service.method):
        if method.client_streaming or method.server_streaming:
            raise GenerationError(f"{full}/{method.name}: streaming is not supported")
        name = identifier(method.name[:1].lower() + method.name[1:])
        names.append(name)
        request = types.message_reference(method.input_type)
        response = types.message_reference(method.output_type)
        idempotent = method.options.idempotency_level in (levels.IDEMPOTENT, levels.NO_SIDE_EFFECTS)
        flag = ", idempotent: true" if idempotent else ""
        out.append("")
        out += doc(comments.lines((SERVICE, index, MEMBER, method_index)), "    ")
        out.append(f"    public static let {name} = MethodDescriptor<{request}, {response}>(")
        out.append(f'        prefix + "{method.name}"{flag})')
    out += ["", "    /// The full name of every method, in the order of the proto file.",
            "    public static let allNames: [String] = ["]
    out += [f"        {name}.fullName," for name in names]
    out += ["    ]", "}"]
    return out


# Where the gateway's copy of the compiled descriptor set is written.
GATEWAY_DIR = "Services/Gateway/Sources"


def generate_embedded_descriptors(descriptors):
    """The descriptor set the gateway maps JSON with and documents in OpenAPI,
    as a base64 literal: comments kept, source spans dropped, serialized
    deterministically, so the text changes only when the schema does."""
    canonical = descriptor_pb2.FileDescriptorSet()
    canonical.CopyFrom(descriptors)
    for file in canonical.file:
        kept = [location for location in file.source_code_info.location
                if location.leading_comments or location.trailing_comments]
        del file.source_code_info.location[:]
        for location in kept:
            copy = file.source_code_info.location.add()
            copy.CopyFrom(location)
            copy.ClearField("span")
            copy.ClearField("leading_detached_comments")
    text = base64.b64encode(canonical.SerializeToString(deterministic=True)).decode("ascii")
    out = [
        f"// Generated by `{COMMAND}` (deploy/wiregen/generate.py) from proto/*.proto. Do not edit.",
        "",
        "/// The compiled descriptor set of `Shared/PurserAPI/proto` (comments kept,",
        "/// source spans dropped), base64: the schema `ProtoSchema.embedded` reads.",
        "enum EmbeddedDescriptors {",
        '    static let base64 = """',
    ]
    out += ["        " + text[index:index + 116] for index in range(0, len(text), 116)]
    out += ['        """', "}"]
    return "\n".join(out) + "\n"


def compile_descriptors(proto_dir):
    with tempfile.TemporaryDirectory() as scratch:
        output = os.path.join(scratch, "descriptors.pb")
        command = [sys.executable, "-m", "grpc_tools.protoc", "-I", proto_dir, "--include_source_info",
                   "--include_imports", f"--descriptor_set_out={output}"] + list(FILES)
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise GenerationError("protoc failed:\n" + result.stderr)
        descriptors = descriptor_pb2.FileDescriptorSet()
        with open(output, "rb") as handle:
            descriptors.ParseFromString(handle.read())
        return descriptors


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", default=ROOT, help="the tree to write Shared/<module>/Generated/ into")
    parser.add_argument("--proto-dir", default=PROTO_DIR, help="directory holding the .proto files")
    arguments = parser.parse_args()
    outputs = {}
    try:
        descriptors = compile_descriptors(arguments.proto_dir)
        types = Types(descriptors.file)
        for file in descriptors.file:
            if file.name not in FILES:
                continue
            if file.syntax != "proto3":
                raise GenerationError(f"{file.name}: only proto3 is supported")
            module_dir = FILES[file.name]
            folder = os.path.join(arguments.output, module_dir, "Generated")
            stem = file.name[: -len(".proto")]
            outputs.setdefault(folder, {})[f"{stem}.pb.swift"] = generate_types(file, types)
            if file.service:
                module = os.path.basename(module_dir)
                outputs[folder][f"{stem}.methods.pb.swift"] = generate_methods(file, types, module)
        gateway = os.path.join(arguments.output, GATEWAY_DIR, "Generated")
        outputs.setdefault(gateway, {})["descriptors.pb.swift"] = generate_embedded_descriptors(descriptors)
    except GenerationError as error:
        print(f"generate.py: {error}", file=sys.stderr)
        return 1
    for folder, files in sorted(outputs.items()):
        os.makedirs(folder, exist_ok=True)
        for existing in os.listdir(folder):
            if existing.endswith(".pb.swift") and existing not in files:
                os.remove(os.path.join(folder, existing))
        for name, text in sorted(files.items()):
            path = os.path.join(folder, name)
            if os.path.exists(path):
                with open(path, encoding="utf-8") as handle:
                    if handle.read() == text:
                        continue  # unchanged: keep its timestamp, so nothing rebuilds
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
