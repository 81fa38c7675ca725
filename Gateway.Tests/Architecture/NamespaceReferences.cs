using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Gateway.Tests.Architecture;

/// <summary>
/// Which namespaces of an assembly use which, read from its compiled metadata: base types, interfaces, attributes,
/// the signatures of fields, methods and properties, local variables, and every type, method and field token in the
/// method bodies. A fully qualified name leaves the same tokens as a <c>using</c> line does. Constants and
/// <c>nameof</c> leave none (the compiler inlines them). A nested or compiler-generated type counts as its outermost
/// type's namespace.
/// </summary>
internal sealed class NamespaceReferences
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value);

    private readonly MetadataReader _reader;
    private readonly PEReader _pe;
    private readonly Dictionary<string, HashSet<string>> _edges = new(StringComparer.Ordinal);

    private NamespaceReferences(PEReader pe)
    {
        _pe = pe;
        _reader = pe.GetMetadataReader();
    }

    /// <summary>For each namespace, the other namespaces of the same assembly that its types use.</summary>
    public static IReadOnlyDictionary<string, HashSet<string>> Read(Assembly assembly)
    {
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        var references = new NamespaceReferences(pe);
        references.ReadAll();
        return references._edges;
    }

    private void ReadAll()
    {
        foreach (var handle in _reader.TypeDefinitions)
        {
            var from = NamespaceOf(handle);
            var used = new HashSet<string>(StringComparer.Ordinal);
            var collector = new Collector(this, used);
            var type = _reader.GetTypeDefinition(handle);
            AddEntity(type.BaseType, collector);
            foreach (var implementation in type.GetInterfaceImplementations())
            {
                AddEntity(_reader.GetInterfaceImplementation(implementation).Interface, collector);
            }

            AddAttributes(type.GetCustomAttributes(), collector);
            foreach (var fieldHandle in type.GetFields())
            {
                var field = _reader.GetFieldDefinition(fieldHandle);
                field.DecodeSignature(collector, null);
                AddAttributes(field.GetCustomAttributes(), collector);
            }

            foreach (var propertyHandle in type.GetProperties())
            {
                var property = _reader.GetPropertyDefinition(propertyHandle);
                property.DecodeSignature(collector, null);
                AddAttributes(property.GetCustomAttributes(), collector);
            }

            foreach (var methodHandle in type.GetMethods())
            {
                var method = _reader.GetMethodDefinition(methodHandle);
                method.DecodeSignature(collector, null);
                AddAttributes(method.GetCustomAttributes(), collector);
                if (method.RelativeVirtualAddress != 0)
                {
                    AddBody(_pe.GetMethodBody(method.RelativeVirtualAddress), collector);
                }
            }

            used.Remove(from);
            if (!_edges.TryGetValue(from, out var edges))
            {
                _edges[from] = edges = new HashSet<string>(StringComparer.Ordinal);
            }

            edges.UnionWith(used);
        }
    }

    private void AddAttributes(CustomAttributeHandleCollection attributes, Collector collector)
    {
        foreach (var attribute in attributes)
        {
            AddEntity(_reader.GetCustomAttribute(attribute).Constructor, collector);
        }
    }

    private void AddBody(MethodBodyBlock body, Collector collector)
    {
        if (!body.LocalSignature.IsNil)
        {
            _reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(collector, null);
        }

        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            var first = il.ReadByte();
            var value = first == 0xFE ? unchecked((short)(0xFE00 | il.ReadByte())) : first;
            var code = OpCodesByValue[value];
            switch (code.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                    AddEntity(MetadataTokens.EntityHandle(il.ReadInt32()), collector);
                    break;
                case OperandType.InlineSwitch:
                    var targets = il.ReadInt32();
                    il.Offset += 4 * targets;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    il.Offset += 8;
                    break;
                case OperandType.InlineBrTarget or OperandType.InlineI or OperandType.InlineSig or OperandType.InlineString or OperandType.ShortInlineR:
                    il.Offset += 4;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
            }
        }
    }

    private void AddEntity(EntityHandle handle, Collector collector)
    {
        if (handle.IsNil)
        {
            return;
        }

        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                collector.Add((TypeDefinitionHandle)handle);
                break;
            case HandleKind.TypeSpecification:
                _reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(collector, null);
                break;
            case HandleKind.MethodDefinition:
                var method = _reader.GetMethodDefinition((MethodDefinitionHandle)handle);
                collector.Add(method.GetDeclaringType());
                method.DecodeSignature(collector, null);
                break;
            case HandleKind.FieldDefinition:
                collector.Add(_reader.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType());
                break;
            case HandleKind.MemberReference:
                var member = _reader.GetMemberReference((MemberReferenceHandle)handle);
                AddEntity(member.Parent, collector);
                if (member.GetKind() == MemberReferenceKind.Method)
                {
                    member.DecodeMethodSignature(collector, null);
                }
                else
                {
                    member.DecodeFieldSignature(collector, null);
                }

                break;
            case HandleKind.MethodSpecification:
                var specification = _reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                AddEntity(specification.Method, collector);
                specification.DecodeSignature(collector, null);
                break;
        }
    }

    private string NamespaceOf(TypeDefinitionHandle handle)
    {
        var type = _reader.GetTypeDefinition(handle);
        while (type.GetDeclaringType() is { IsNil: false } outer)
        {
            type = _reader.GetTypeDefinition(outer);
        }

        return _reader.GetString(type.Namespace);
    }

    /// <summary>Records the namespace of every type of this assembly that a signature names.</summary>
    private sealed class Collector(NamespaceReferences owner, HashSet<string> used) : ISignatureTypeProvider<int, object?>
    {
        public void Add(TypeDefinitionHandle handle) => used.Add(owner.NamespaceOf(handle));

        public int GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            Add(handle);
            return 0;
        }

        public int GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public int GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => 0;

        public int GetPrimitiveType(PrimitiveTypeCode typeCode) => 0;

        public int GetSZArrayType(int elementType) => 0;

        public int GetArrayType(int elementType, ArrayShape shape) => 0;

        public int GetByReferenceType(int elementType) => 0;

        public int GetPointerType(int elementType) => 0;

        public int GetPinnedType(int elementType) => 0;

        public int GetGenericInstantiation(int genericType, ImmutableArray<int> typeArguments) => 0;

        public int GetGenericMethodParameter(object? genericContext, int index) => 0;

        public int GetGenericTypeParameter(object? genericContext, int index) => 0;

        public int GetFunctionPointerType(MethodSignature<int> signature) => 0;

        public int GetModifiedType(int modifier, int unmodifiedType, bool isRequired) => 0;
    }
}
