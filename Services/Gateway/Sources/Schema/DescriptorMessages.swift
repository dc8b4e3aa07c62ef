import PurserWire

// The parts of `google/protobuf/descriptor.proto` the gateway reads from the
// compiled descriptor set of Purser's `.proto` files (field numbers as there).

/// `google.protobuf.FileDescriptorSet`.
struct FileDescriptorSet: WireMessage {
    var file: [FileDescriptorProto] = []
    mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &file)
    }
}

/// `google.protobuf.FileDescriptorProto`.
struct FileDescriptorProto: WireMessage {
    var name = ""
    var package = ""
    var messageType: [DescriptorProto] = []
    var enumType: [EnumDescriptorProto] = []
    var service: [ServiceDescriptorProto] = []
    var sourceCodeInfo = SourceCodeInfo()
    mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &name)
        try t.field(2, &package)
        try t.field(4, &messageType)
        try t.field(5, &enumType)
        try t.field(6, &service)
        try t.field(9, &sourceCodeInfo)
    }
}

/// `google.protobuf.DescriptorProto`.
struct DescriptorProto: WireMessage {
    var name = ""
    var field: [FieldDescriptorProto] = []
    var nestedType: [DescriptorProto] = []
    var enumType: [EnumDescriptorProto] = []
    var options = MessageOptions()
    mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &name)
        try t.field(2, &field)
        try t.field(3, &nestedType)
        try t.field(4, &enumType)
        try t.field(7, &options)
    }
}

/// `google.protobuf.MessageOptions`.
struct MessageOptions: WireMessage {
    var mapEntry = false
    mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(7, &mapEntry)
    }
}

/// `google.protobuf.FieldDescriptorProto`.
struct FieldDescriptorProto: WireMessage {
    var name = ""
    var number: Int32 = 0
    /// 1 optional, 2 required, 3 repeated.
    var label: Int32 = 0
    /// `FieldDescriptorProto.Type`: 3 int64, 5 int32, 8 bool, 9 string, 11 message, 12 bytes, 14 enum, …
    var type: Int32 = 0
    var typeName = ""
    var jsonName = ""
    var proto3Optional = false
    mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &name)
        try t.field(3, &number)
        try t.field(4, &label)
        try t.field(5, &type)
        try t.field(6, &typeName)
        try t.field(10, &jsonName)
        try t.field(17, &proto3Optional)
    }
}

/// `google.protobuf.EnumDescriptorProto`.
struct EnumDescriptorProto: WireMessage {
    var name = ""
    var value: [EnumValueDescriptorProto] = []
    mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &name)
        try t.field(2, &value)
    }
}

/// `google.protobuf.EnumValueDescriptorProto`.
struct EnumValueDescriptorProto: WireMessage {
    var name = ""
    var number: Int32 = 0
    mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &name)
        try t.field(2, &number)
    }
}

/// `google.protobuf.ServiceDescriptorProto`.
struct ServiceDescriptorProto: WireMessage {
    var name = ""
    var method: [MethodDescriptorProto] = []
    mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &name)
        try t.field(2, &method)
    }
}

/// `google.protobuf.MethodDescriptorProto`.
struct MethodDescriptorProto: WireMessage {
    var name = ""
    var inputType = ""
    var outputType = ""
    var options = MethodOptions()
    mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &name)
        try t.field(2, &inputType)
        try t.field(3, &outputType)
        try t.field(4, &options)
    }
}

/// `google.protobuf.MethodOptions`.
struct MethodOptions: WireMessage {
    /// 0 unknown, 1 no side effects, 2 idempotent.
    var idempotencyLevel: Int32 = 0
    mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(34, &idempotencyLevel)
    }
}

/// `google.protobuf.SourceCodeInfo`: where the comments are.
struct SourceCodeInfo: WireMessage {
    var location: [SourceLocation] = []
    mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &location)
    }
}

/// `google.protobuf.SourceCodeInfo.Location`.
struct SourceLocation: WireMessage {
    /// Field numbers and indexes from the file down to the element.
    var path: [Int32] = []
    var leadingComments = ""
    var trailingComments = ""
    mutating func traverse<T: WireTraverser>(_ t: inout T) throws(T.Failure) {
        try t.field(1, &path)
        try t.field(3, &leadingComments)
        try t.field(4, &trailingComments)
    }
}
