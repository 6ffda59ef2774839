import pytest
from eventhubs_emulator.hashing import lookup3, partition_for_key, partition_key_hash

# Key → signed 16-bit hash pairs from the .NET SDK's PartitionResolverTests (HashCodeAssignmentIsStable),
# which mirror the Event Hubs service's gateway hashing.
KNOWN_HASHES = [
    ("7", -15263),
    ("131", 30562),
    ("7149583486996073602", 12977),
    ("FWfAT", -22341),
    ("sOdeEAsyQoEuEFPGerWO", -6503),
    (
        # pragma: allowlist nextline secret (a partition-key test vector)
        "FAyAIctPeCgmiwLKbJcyswoHglHVjQdvtBowLACDNORsYvOcLddNJYDmhAVkbyLOrHTKLneMNcbgWVlasVywOByANjs",
        5226,
    ),
    (
        "1XYM6!(7(lF5wq4k4m*e$Nc!1ezLJv*1YK1Y-C^*&B$O)lq^iUkG(TNzXG;Zi#z2Og*Qq0#^*k):vXh$3,C7We7%W0meJ;b3,rQCg^J;"
        "^twXgs5E$$hWKxqp",
        23950,
    ),
    (
        "E(x;RRIaQcJs*P;D&jTPau-4K04oqr:lF6Z):ERpo&;9040qyV@G1_c9mgOs-8_8/10Fwa-7b7-yP!T-!IH&968)FWuI;(^g$2fN;)HJ"
        "^^yTn:",
        -29304,
    ),
    ("!c*_!I@1^c", 15372),
    ("p4*!jioeO/z-!-;w:dh", -3104),
    ("$0cb", 26269),
    ("-4189260826195535198", 453),
]


@pytest.mark.parametrize(("key", "expected"), KNOWN_HASHES)
def test_partition_key_hash_matches_the_service(key: str, expected: int) -> None:
    assert partition_key_hash(key) == expected


@pytest.mark.parametrize(("key", "expected"), KNOWN_HASHES)
def test_partition_for_key_is_absolute_hash_modulo_count(key: str, expected: int) -> None:
    for count in (1, 2, 4, 7, 32):
        assert partition_for_key(key, count) == abs(expected) % count


def test_lookup3_of_empty_input_is_the_initial_state() -> None:
    assert lookup3(b"") == (0xDEADBEEF, 0xDEADBEEF)


def test_partition_for_key_hashes_utf8_bytes() -> None:
    # The same text must map the same way whatever its normalisation on the caller's side.
    assert partition_key_hash("é") != partition_key_hash("e\u0301")
