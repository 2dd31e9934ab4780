"""Names: references, the gazetteer of organisations, dataset families and roles.

The reviewed data lives beside the code as YAML (``organisations.yaml``,
``datasets.yaml``); a name not in it is still resolved from its words, marked
unreviewed, never dropped.
"""

from .gazetteer import (
    Gazetteer,
    Mention,
    agreement_core,
    dataset_family,
    families_in,
    family_labels,
    gazetteer,
    guess_role,
    is_dars_reference,
    load_yaml,
    normalise,
    slug,
    split_controllers,
    split_list,
)

__all__ = [
    "Gazetteer",
    "Mention",
    "agreement_core",
    "dataset_family",
    "families_in",
    "family_labels",
    "gazetteer",
    "guess_role",
    "is_dars_reference",
    "load_yaml",
    "normalise",
    "slug",
    "split_controllers",
    "split_list",
]
