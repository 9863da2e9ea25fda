"""IIIF for the catalog's images: the Image API 3.0 (level 1, with percentages and best-fit
sizes) and Presentation API 3.0 manifests and collections.

Every request goes through the access gateway (``catalog.selectors``) first, also when a
derivative is already cached: an image whose description is restricted, confidential or closed
has no manifest, no ``info.json`` and no tile, from the moment the change is committed. The
pictures are cut from the public copy (``DigitalObject.public_file``, without metadata), never
from the original.
"""
