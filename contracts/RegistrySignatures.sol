// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Bytes} from "@openzeppelin/contracts/utils/Bytes.sol";
import {PasskeyAccountFactory} from "./accounts/PasskeyAccountFactory.sol";
import {IPasskeyAccountFactory} from "./interfaces/IPasskeyAccountFactory.sol";
import {IRegistrySignatures} from "./interfaces/IRegistrySignatures.sol";
import {ReviewData, Visit} from "./types/RegistryTypes.sol";

/**
 * @title RegistrySignatures
 * @notice The registry's EIP-712 typed data and signer checks: the domain, the `Visit` and `Review` type
 * hashes, their struct hashes and digests, and whether a dentist or a patient signed them.
 * @dev See {IRegistrySignatures}. Declares no state variable: EIP712's two fallback strings keep the first two
 * slots, as when the registry inherited EIP712 directly, so its storage layout is unchanged. The passkey factory
 * is an immutable, deployed here so that every registry trusts exactly the factory it made.
 */
abstract contract RegistrySignatures is IRegistrySignatures, EIP712 {
    /// @inheritdoc IRegistrySignatures
    bytes32 public constant VISIT_TYPEHASH =
        keccak256("Visit(bytes32 visitId,address patient,address dentist,uint64 visitedAt)");

    /// @inheritdoc IRegistrySignatures
    bytes32 public constant REVIEW_TYPEHASH =
        keccak256(
            "Review(bytes32 visitId,uint8 rating,uint8 treatment,uint8 bedside,uint8 waitTime,"
            "string text,uint64 deadline)"
        );

    /// @dev ERC-6492's suffix: a signature ending with it is `abi.encode(factory, factoryCalldata, signature)`.
    bytes32 private constant _ERC6492_MAGIC = 0x6492649264926492649264926492649264926492649264926492649264926492;

    IPasskeyAccountFactory private immutable _passkeyFactory;

    /// @dev The domain `{name: "DentaReview", version: "1"}` of the wire protocol; the chain and the
    /// verifying contract are added by EIP712.
    constructor() EIP712("DentaReview", "1") {
        _passkeyFactory = new PasskeyAccountFactory();
    }

    /// @inheritdoc IRegistrySignatures
    function passkeyAccountFactory() external view returns (address) {
        return address(_passkeyFactory);
    }

    /// @inheritdoc IRegistrySignatures
    function isValidSignatureNow(address signer, bytes32 hash, bytes calldata signature) external view returns (bool) {
        (bool signed, ) = _isSignedBy(signer, hash, signature);
        return signed;
    }

    /// @inheritdoc IRegistrySignatures
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc IRegistrySignatures
    function hashVisit(Visit calldata visit) public pure returns (bytes32 structHash) {
        // keccak256(abi.encode(VISIT_TYPEHASH, visit)), hashing the struct's calldata words in place: the members
        // of `Visit` are those of the EIP-712 type, in order, each one word. Calldata is hashed as sent, so a
        // non-canonical encoding (dirty high bits) only yields a hash that no wallet signed.
        bytes32 typeHash = VISIT_TYPEHASH;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typeHash)
            calldatacopy(add(ptr, 0x20), visit, 0x80)
            structHash := keccak256(ptr, 0xa0)
        }
    }

    /// @inheritdoc IRegistrySignatures
    function hashReview(bytes32 visitId, ReviewData calldata review) public pure returns (bytes32 structHash) {
        // keccak256(abi.encode(REVIEW_TYPEHASH, visitId, review)), as in {hashVisit}: the members of `ReviewData`
        // follow `visitId` in the EIP-712 type, in order, `textHash` standing for the `string text` member exactly
        // as EIP-712 encodes it (the keccak256 of its bytes).
        bytes32 typeHash = REVIEW_TYPEHASH;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typeHash)
            mstore(add(ptr, 0x20), visitId)
            calldatacopy(add(ptr, 0x40), review, 0xc0)
            structHash := keccak256(ptr, 0x100)
        }
    }

    /// @inheritdoc IRegistrySignatures
    function reviewDigest(bytes32 visitId, ReviewData calldata review) public view returns (bytes32) {
        return _hashTypedDataV4(hashReview(visitId, review));
    }

    /// @inheritdoc IRegistrySignatures
    function visitDigest(Visit calldata visit) public view returns (bytes32) {
        return _hashTypedDataV4(hashVisit(visit));
    }

    /**
     * @dev Whether `dentist` signed `visit` itself; also returns the ECDSA-recovered signer (zero if none), which
     * may be a visit-signing key the dentist authorised (the registry checks that).
     */
    function _isVisitSignedBy(
        address dentist,
        Visit calldata visit,
        bytes calldata signature
    ) internal view returns (bool, address recovered) {
        return _isSignedBy(dentist, visitDigest(visit), signature);
    }

    /**
     * @dev Returns the digest of the `Review` of `visitId` with the members of `review`; reverts with
     * {NotVisitPatient} unless `signature` is `patient`'s signature of it.
     */
    function _checkReviewSignature(
        address patient,
        bytes32 visitId,
        ReviewData calldata review,
        bytes calldata signature
    ) internal view returns (bytes32 digest) {
        digest = reviewDigest(visitId, review);
        (bool signed, address signer) = _isSignedBy(patient, digest, signature);
        if (!signed) revert NotVisitPatient(signer, patient);
    }

    /**
     * @dev Whether `signer` signed `hash`: an EOA by ECDSA (the cheap path, no code lookup), otherwise a
     * smart-contract account by ERC-1271, or a passkey account not deployed yet by ERC-6492. Also returns the
     * ECDSA-recovered address (zero if none) for errors.
     */
    function _isSignedBy(
        address signer,
        bytes32 hash,
        bytes calldata signature
    ) internal view returns (bool, address recovered) {
        ECDSA.RecoverError recoverError;
        // The third value only details a malformed signature; either way the contract paths decide.
        // slither-disable-next-line unused-return
        (recovered, recoverError, ) = ECDSA.tryRecoverCalldata(hash, signature);
        if (recoverError == ECDSA.RecoverError.NoError && recovered == signer) return (true, recovered);
        uint256 length = signature.length;
        if (length < 32 || bytes32(signature[length - 32:]) != _ERC6492_MAGIC) {
            return (SignatureChecker.isValidERC1271SignatureNowCalldata(signer, hash, signature), recovered);
        }
        (address factory, bytes memory factoryCalldata, bytes memory inner) = abi.decode(
            signature[:length - 32],
            (address, bytes, bytes)
        );
        // Deployed since it signed: the account itself answers (ERC-6492 skips the factory call then).
        if (signer.code.length != 0) return (SignatureChecker.isValidERC1271SignatureNow(signer, hash, inner), recovered);
        // Not deployed: only our own factory's accounts are checked, from the key its call would deploy.
        if (
            factory != address(_passkeyFactory) ||
            factoryCalldata.length != 68 ||
            bytes4(factoryCalldata) != IPasskeyAccountFactory.createAccount.selector
        ) return (false, recovered);
        (bytes32 qx, bytes32 qy) = abi.decode(Bytes.slice(factoryCalldata, 4), (bytes32, bytes32));
        return (_passkeyFactory.isValidSignatureOf(signer, qx, qy, hash, inner), recovered);
    }
}
