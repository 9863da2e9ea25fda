"""factory_boy factories; state changes that matter go through services, not factories."""

import factory

from archivox.core.models import Archive, Region, User


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"region{n}")
    name = factory.Sequence(lambda n: f"Region {n}")
    name_zh = factory.Sequence(lambda n: f"地区{n}")
    tier = 2
    level = Region.Level.CITY


class ArchiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Archive
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"archive{n}")
    name = factory.Sequence(lambda n: f"Archive {n}")
    name_zh = factory.Sequence(lambda n: f"档案馆{n}")
    level = Archive.Level.CITY
    region = factory.SubFactory(RegionFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True
    password = factory.django.Password("correct horse battery staple")
