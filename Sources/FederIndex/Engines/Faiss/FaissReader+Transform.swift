/// `IxPT` (IndexPreTransform) and its vector transforms (faiss `impl/index_read.cpp` v1.15:
/// `read_VectorTransform`, the IxPT branch).
extension FaissReader {
    /// The most transforms one chain may hold (faiss chains have one or two).
    static let maxChain = 16

    /// `IxPT`: header · chain length i32 · the transforms · the inner index. The chain's dimensions must
    /// connect: the first takes d, each takes what the previous gives, the last gives the inner index's d.
    mutating func readPreTransform(code: String, depth: Int) throws -> FaissPreTransformIndex {
        let header = try readHeader()
        let countOffset = reader.offset
        let count = Int(try reader.readInt32("chain length", in: 0...Int32(Self.maxChain)))
        var chain: [FaissVectorTransform] = []
        var dim = header.dim
        for position in 0..<count {
            let offset = reader.offset
            let transform = try readVectorTransform(depth: depth + 1)
            guard transform.inputDim == dim else {
                throw reader.invalid(
                    "transform \(position + 1) of \(count)", "takes d_in \(transform.inputDim), the chain gives \(dim)",
                    at: offset)
            }
            dim = transform.outputDim
            chain.append(transform)
        }
        let innerOffset = reader.offset
        let inner = try readIndex(depth: depth + 1)
        guard inner.header.dim == dim else {
            throw reader.invalid("inner index", "has d = \(inner.header.dim), the chain gives \(dim)", at: innerOffset)
        }
        guard inner.header.count == header.count else {
            throw reader.invalid("inner index", "holds \(inner.header.count) vectors, the wrapper \(header.count)", at: innerOffset)
        }
        _ = countOffset
        return FaissPreTransformIndex(code: code, header: header, chain: chain, inner: inner)
    }

    /// `read_VectorTransform`: code · the kind's fields · d_in i32 · d_out i32 · is_trained u8.
    mutating func readVectorTransform(depth: Int) throws -> FaissVectorTransform {
        guard depth < Self.maxDepth else {
            throw reader.invalid("vector transform", "transforms nested more than \(Self.maxDepth) deep")
        }
        let codeOffset = reader.offset
        let raw = try reader.readCode("transform code")
        let code = String(decoding: raw, as: UTF8.self)
        var linearParts: (FaissLinearTransform.PCA?, Bool)?
        var kind: FaissVectorTransform.Kind?
        var itqParts: (mean: MappedArray<Float>, doPCA: Bool, itq: FaissVectorTransform, pca: FaissVectorTransform)?
        switch code {
        case "rrot", "LTra":
            linearParts = (nil, true)
        case "PCAm", "PcAm", "Pcam":
            let eigenPower = try reader.readFloat("eigen_power")
            let epsilon = code == "Pcam" ? try reader.readFloat("epsilon") : 0
            let randomRotation = try readBool("random_rotation")
            let balancedBins = code == "PCAm" ? 0 : Int(try reader.readInt32("balanced_bins", in: 0...Int32.max))
            let mean = try reader.readMappedArray("PCA mean", of: Float.self)
            let eigenvalues = try reader.readMappedArray("PCA eigenvalues", of: Float.self)
            _ = try reader.readMappedArray("PCA matrix", of: Float.self)
            linearParts = (
                FaissLinearTransform.PCA(
                    eigenPower: eigenPower, epsilon: epsilon, randomRotation: randomRotation, balancedBins: balancedBins,
                    mean: mean, eigenvalues: eigenvalues), true
            )
        case "Viqm":
            _ = try reader.readInt32("ITQ max_iter", in: Int32.min...Int32.max)
            _ = try reader.readInt32("ITQ seed", in: Int32.min...Int32.max)
            linearParts = (nil, true)
        case "RmDT":
            kind = .remap(map: try reader.readMappedArray("dimension map", of: Int32.self))
        case "VNrm":
            kind = .normalize(norm: try reader.readFloat("norm"))
        case "VCnt":
            kind = .center(mean: try reader.readMappedArray("centering mean", of: Float.self))
        case "Viqt":
            let mean = try reader.readMappedArray("ITQ mean", of: Float.self)
            let doPCA = try readBool("do_pca")
            let itq = try readVectorTransform(depth: depth + 1)
            let pca = try readVectorTransform(depth: depth + 1)
            itqParts = (mean, doPCA, itq, pca)
        case "HRot":
            throw FederIndexError.unsupported(
                path: reader.file.path, format: reader.format, offset: codeOffset,
                detail: "faiss HadamardRotation (HRot) is known but not read by this version yet")
        default:
            throw reader.invalid("transform code", "\(describeCode(raw)) is not a faiss vector transform", at: codeOffset)
        }
        var linear: FaissLinearTransform?
        if let (pca, _) = linearParts {
            let hasBias = try readBool("have_bias")
            let matrix = try reader.readMappedArray("transform matrix A", of: Float.self)
            let bias = try reader.readMappedArray("transform bias b", of: Float.self)
            linear = FaissLinearTransform(matrix: matrix, bias: bias, hasBias: hasBias, pca: pca)
        }
        let dimsOffset = reader.offset
        let inputDim = Int(try reader.readInt32("d_in", in: 0...Int32(Self.maxDim)))
        let outputDim = Int(try reader.readInt32("d_out", in: 0...Int32(Self.maxDim)))
        let isTrained = try readBool("is_trained")
        guard inputDim >= 1, outputDim >= 1 else {
            throw reader.invalid("d_in / d_out", "\(inputDim) → \(outputDim): both must be at least 1", at: dimsOffset)
        }
        guard isTrained else {
            throw reader.invalid("is_trained", "the \(code) transform was never trained", at: dimsOffset + 8)
        }
        if let linear {
            guard let needed = checkedProduct(inputDim, outputDim), linear.matrix.count >= needed else {
                throw reader.invalid(
                    "transform matrix A", "\(linear.matrix.count) floats for d_out × d_in = \(outputDim) × \(inputDim)",
                    at: linear.matrix.byteOffset - 8)
            }
            if linear.hasBias, linear.bias.count < outputDim {
                throw reader.invalid(
                    "transform bias b", "\(linear.bias.count) floats for d_out = \(outputDim)", at: linear.bias.byteOffset - 8)
            }
            kind = .linear(linear)
        }
        switch kind {
        case .remap(let map):
            guard map.count >= outputDim else {
                throw reader.invalid("dimension map", "\(map.count) entries for d_out = \(outputDim)", at: map.byteOffset - 8)
            }
            for position in 0..<outputDim where map[position] < -1 || Int(map[position]) >= inputDim {
                throw reader.invalid(
                    "dimension map[\(position)]", "\(map[position]) is outside -1..<\(inputDim)", at: map.byteOffset + position * 4)
            }
        case .normalize, .center:
            guard inputDim == outputDim else {
                throw reader.invalid("d_in / d_out", "\(inputDim) → \(outputDim): this transform keeps the dimension", at: dimsOffset)
            }
            if case .center(let mean) = kind, mean.count < inputDim {
                throw reader.invalid("centering mean", "\(mean.count) floats for d = \(inputDim)", at: mean.byteOffset - 8)
            }
        default:
            break
        }
        if let (mean, doPCA, itq, pca) = itqParts {
            guard case .linear(let itqLinear) = itq.kind, case .linear(let pcaLinear) = pca.kind else {
                throw reader.invalid("ITQ transform", "its parts must be linear transforms", at: codeOffset)
            }
            guard mean.count >= inputDim else {
                throw reader.invalid("ITQ mean", "\(mean.count) floats for d_in = \(inputDim)", at: mean.byteOffset - 8)
            }
            kind = .itq(mean: mean, doPCA: doPCA, itq: itqLinear, pcaThenITQ: pcaLinear)
        }
        guard let kind else { throw reader.invalid("transform code", "\(code) read no fields", at: codeOffset) }
        return FaissVectorTransform(code: code, kind: kind, inputDim: inputDim, outputDim: outputDim, isTrained: isTrained)
    }
}
