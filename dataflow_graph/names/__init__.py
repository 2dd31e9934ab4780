"""Names: references, the gazetteer of organisations, dataset families, roles, identifiability.

The reviewed data lives beside the code as YAML (``organisations.yaml``,
``datasets.yaml``, ``roles.yaml``, ``identifiability.yaml``), checked when loaded with
``path:line`` errors; a name not in it is still resolved from its words, marked
unreviewed, never dropped.

- :mod:`.references`: DARS references, and the lists a register cell holds;
- :mod:`.text`: comparison keys (:func:`normalise`, :func:`slug`);
- :mod:`.families`: dataset families of names and of prose;
- :mod:`.fragments`: proven prefilters (fragments every match of a pattern holds);
- :mod:`.roles`: roles guessed from a name's words;
- :mod:`.identifiability`: the one identifiability vocabulary;
- :mod:`.gazetteer`: organisations, aliases, mentions in a sentence;
- :mod:`.reviewed`: the checked YAML loader the others use.
"""

from .families import dataset_family, families_in, family_labels
from .gazetteer import Gazetteer, Mention, gazetteer, organisation_id, organisations_text
from .identifiability import category_identifiability, identifiability_in, type_of_data, vocabulary
from .references import agreement_core, is_dars_reference, split_controllers, split_list
from .reviewed import Reviewed, ReviewedDataError, compiled, load_reviewed, load_yaml
from .roles import guess_role
from .text import normalise, organisation_key, slug

__all__ = [
    "Gazetteer",
    "Mention",
    "Reviewed",
    "ReviewedDataError",
    "agreement_core",
    "category_identifiability",
    "compiled",
    "dataset_family",
    "families_in",
    "family_labels",
    "gazetteer",
    "guess_role",
    "identifiability_in",
    "is_dars_reference",
    "load_reviewed",
    "load_yaml",
    "normalise",
    "organisation_id",
    "organisation_key",
    "organisations_text",
    "slug",
    "split_controllers",
    "split_list",
    "type_of_data",
    "vocabulary",
]
