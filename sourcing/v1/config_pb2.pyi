import datetime

from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from sourcing.v1 import common_pb2 as _common_pb2
from sourcing.v1 import domain_pb2 as _domain_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LocationType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LOCATION_TYPE_UNSPECIFIED: _ClassVar[LocationType]
    LOCATION_TYPE_WAREHOUSE: _ClassVar[LocationType]
    LOCATION_TYPE_STORE: _ClassVar[LocationType]
    LOCATION_TYPE_DC: _ClassVar[LocationType]
    LOCATION_TYPE_VENDOR: _ClassVar[LocationType]
    LOCATION_TYPE_THREE_PL: _ClassVar[LocationType]
    LOCATION_TYPE_REJECTION: _ClassVar[LocationType]

class OverdueAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OVERDUE_ACTION_UNSPECIFIED: _ClassVar[OverdueAction]
    OVERDUE_ACTION_ESCALATE: _ClassVar[OverdueAction]
    OVERDUE_ACTION_REASSIGN: _ClassVar[OverdueAction]

class ServiceChoice(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SERVICE_CHOICE_UNSPECIFIED: _ClassVar[ServiceChoice]
    SERVICE_CHOICE_CHEAPEST: _ClassVar[ServiceChoice]
    SERVICE_CHOICE_MEETS_NEED_BY: _ClassVar[ServiceChoice]

class WebhookEventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WEBHOOK_EVENT_TYPE_UNSPECIFIED: _ClassVar[WebhookEventType]
    WEBHOOK_EVENT_TYPE_ORDER_STATUS_CHANGED: _ClassVar[WebhookEventType]
    WEBHOOK_EVENT_TYPE_FULFILMENT_CREATED: _ClassVar[WebhookEventType]
    WEBHOOK_EVENT_TYPE_FULFILMENT_STATUS_CHANGED: _ClassVar[WebhookEventType]
    WEBHOOK_EVENT_TYPE_CONSIGNMENT_CREATED: _ClassVar[WebhookEventType]
    WEBHOOK_EVENT_TYPE_RETURN_STATUS_CHANGED: _ClassVar[WebhookEventType]
    WEBHOOK_EVENT_TYPE_INVENTORY_CHANGED: _ClassVar[WebhookEventType]
    WEBHOOK_EVENT_TYPE_CONSIGNMENT_STATUS_CHANGED: _ClassVar[WebhookEventType]
LOCATION_TYPE_UNSPECIFIED: LocationType
LOCATION_TYPE_WAREHOUSE: LocationType
LOCATION_TYPE_STORE: LocationType
LOCATION_TYPE_DC: LocationType
LOCATION_TYPE_VENDOR: LocationType
LOCATION_TYPE_THREE_PL: LocationType
LOCATION_TYPE_REJECTION: LocationType
OVERDUE_ACTION_UNSPECIFIED: OverdueAction
OVERDUE_ACTION_ESCALATE: OverdueAction
OVERDUE_ACTION_REASSIGN: OverdueAction
SERVICE_CHOICE_UNSPECIFIED: ServiceChoice
SERVICE_CHOICE_CHEAPEST: ServiceChoice
SERVICE_CHOICE_MEETS_NEED_BY: ServiceChoice
WEBHOOK_EVENT_TYPE_UNSPECIFIED: WebhookEventType
WEBHOOK_EVENT_TYPE_ORDER_STATUS_CHANGED: WebhookEventType
WEBHOOK_EVENT_TYPE_FULFILMENT_CREATED: WebhookEventType
WEBHOOK_EVENT_TYPE_FULFILMENT_STATUS_CHANGED: WebhookEventType
WEBHOOK_EVENT_TYPE_CONSIGNMENT_CREATED: WebhookEventType
WEBHOOK_EVENT_TYPE_RETURN_STATUS_CHANGED: WebhookEventType
WEBHOOK_EVENT_TYPE_INVENTORY_CHANGED: WebhookEventType
WEBHOOK_EVENT_TYPE_CONSIGNMENT_STATUS_CHANGED: WebhookEventType

class Location(_message.Message):
    __slots__ = ("ref", "name", "type", "latitude", "longitude", "network_refs", "fixed_cost", "handling_cost", "shipping_cost_per_unit_km", "pick_pack_hours", "daily_capacity", "daily_capacity_hd", "daily_capacity_cc", "hd_enabled", "cc_enabled", "flagship", "vip_service", "expedited_shipping", "open_order_limit", "create_time", "update_time", "calendar", "carrier_services")
    REF_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    LATITUDE_FIELD_NUMBER: _ClassVar[int]
    LONGITUDE_FIELD_NUMBER: _ClassVar[int]
    NETWORK_REFS_FIELD_NUMBER: _ClassVar[int]
    FIXED_COST_FIELD_NUMBER: _ClassVar[int]
    HANDLING_COST_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_COST_PER_UNIT_KM_FIELD_NUMBER: _ClassVar[int]
    PICK_PACK_HOURS_FIELD_NUMBER: _ClassVar[int]
    DAILY_CAPACITY_FIELD_NUMBER: _ClassVar[int]
    DAILY_CAPACITY_HD_FIELD_NUMBER: _ClassVar[int]
    DAILY_CAPACITY_CC_FIELD_NUMBER: _ClassVar[int]
    HD_ENABLED_FIELD_NUMBER: _ClassVar[int]
    CC_ENABLED_FIELD_NUMBER: _ClassVar[int]
    FLAGSHIP_FIELD_NUMBER: _ClassVar[int]
    VIP_SERVICE_FIELD_NUMBER: _ClassVar[int]
    EXPEDITED_SHIPPING_FIELD_NUMBER: _ClassVar[int]
    OPEN_ORDER_LIMIT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    CALENDAR_FIELD_NUMBER: _ClassVar[int]
    CARRIER_SERVICES_FIELD_NUMBER: _ClassVar[int]
    ref: str
    name: str
    type: LocationType
    latitude: float
    longitude: float
    network_refs: _containers.RepeatedScalarFieldContainer[str]
    fixed_cost: _common_pb2.Money
    handling_cost: _common_pb2.Money
    shipping_cost_per_unit_km: float
    pick_pack_hours: float
    daily_capacity: int
    daily_capacity_hd: int
    daily_capacity_cc: int
    hd_enabled: bool
    cc_enabled: bool
    flagship: bool
    vip_service: bool
    expedited_shipping: bool
    open_order_limit: int
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    calendar: LocationCalendar
    carrier_services: _containers.RepeatedCompositeFieldContainer[CarrierService]
    def __init__(self, ref: _Optional[str] = ..., name: _Optional[str] = ..., type: _Optional[_Union[LocationType, str]] = ..., latitude: _Optional[float] = ..., longitude: _Optional[float] = ..., network_refs: _Optional[_Iterable[str]] = ..., fixed_cost: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., handling_cost: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., shipping_cost_per_unit_km: _Optional[float] = ..., pick_pack_hours: _Optional[float] = ..., daily_capacity: _Optional[int] = ..., daily_capacity_hd: _Optional[int] = ..., daily_capacity_cc: _Optional[int] = ..., hd_enabled: _Optional[bool] = ..., cc_enabled: _Optional[bool] = ..., flagship: _Optional[bool] = ..., vip_service: _Optional[bool] = ..., expedited_shipping: _Optional[bool] = ..., open_order_limit: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., calendar: _Optional[_Union[LocationCalendar, _Mapping]] = ..., carrier_services: _Optional[_Iterable[_Union[CarrierService, _Mapping]]] = ...) -> None: ...

class OpeningHours(_message.Message):
    __slots__ = ("iso_weekday", "opens_minute", "closes_minute")
    ISO_WEEKDAY_FIELD_NUMBER: _ClassVar[int]
    OPENS_MINUTE_FIELD_NUMBER: _ClassVar[int]
    CLOSES_MINUTE_FIELD_NUMBER: _ClassVar[int]
    iso_weekday: int
    opens_minute: int
    closes_minute: int
    def __init__(self, iso_weekday: _Optional[int] = ..., opens_minute: _Optional[int] = ..., closes_minute: _Optional[int] = ...) -> None: ...

class LocationCalendar(_message.Message):
    __slots__ = ("time_zone", "hours", "closed_dates")
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    HOURS_FIELD_NUMBER: _ClassVar[int]
    CLOSED_DATES_FIELD_NUMBER: _ClassVar[int]
    time_zone: str
    hours: _containers.RepeatedCompositeFieldContainer[OpeningHours]
    closed_dates: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, time_zone: _Optional[str] = ..., hours: _Optional[_Iterable[_Union[OpeningHours, _Mapping]]] = ..., closed_dates: _Optional[_Iterable[str]] = ...) -> None: ...

class DistanceBand(_message.Message):
    __slots__ = ("lower_km", "upper_km", "transit_days")
    LOWER_KM_FIELD_NUMBER: _ClassVar[int]
    UPPER_KM_FIELD_NUMBER: _ClassVar[int]
    TRANSIT_DAYS_FIELD_NUMBER: _ClassVar[int]
    lower_km: float
    upper_km: float
    transit_days: int
    def __init__(self, lower_km: _Optional[float] = ..., upper_km: _Optional[float] = ..., transit_days: _Optional[int] = ...) -> None: ...

class WeightBand(_message.Message):
    __slots__ = ("lower_grams", "upper_grams")
    LOWER_GRAMS_FIELD_NUMBER: _ClassVar[int]
    UPPER_GRAMS_FIELD_NUMBER: _ClassVar[int]
    lower_grams: int
    upper_grams: int
    def __init__(self, lower_grams: _Optional[int] = ..., upper_grams: _Optional[int] = ...) -> None: ...

class RateCardRow(_message.Message):
    __slots__ = ("price_minor",)
    PRICE_MINOR_FIELD_NUMBER: _ClassVar[int]
    price_minor: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, price_minor: _Optional[_Iterable[int]] = ...) -> None: ...

class CarrierService(_message.Message):
    __slots__ = ("code", "cut_off_minute", "distance_bands", "weight_bands", "prices", "delivery_iso_weekdays", "transfer", "currency")
    CODE_FIELD_NUMBER: _ClassVar[int]
    CUT_OFF_MINUTE_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_BANDS_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_BANDS_FIELD_NUMBER: _ClassVar[int]
    PRICES_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_ISO_WEEKDAYS_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    code: str
    cut_off_minute: int
    distance_bands: _containers.RepeatedCompositeFieldContainer[DistanceBand]
    weight_bands: _containers.RepeatedCompositeFieldContainer[WeightBand]
    prices: _containers.RepeatedCompositeFieldContainer[RateCardRow]
    delivery_iso_weekdays: _containers.RepeatedScalarFieldContainer[int]
    transfer: bool
    currency: str
    def __init__(self, code: _Optional[str] = ..., cut_off_minute: _Optional[int] = ..., distance_bands: _Optional[_Iterable[_Union[DistanceBand, _Mapping]]] = ..., weight_bands: _Optional[_Iterable[_Union[WeightBand, _Mapping]]] = ..., prices: _Optional[_Iterable[_Union[RateCardRow, _Mapping]]] = ..., delivery_iso_weekdays: _Optional[_Iterable[int]] = ..., transfer: _Optional[bool] = ..., currency: _Optional[str] = ...) -> None: ...

class CreateLocationRequest(_message.Message):
    __slots__ = ("location",)
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    location: Location
    def __init__(self, location: _Optional[_Union[Location, _Mapping]] = ...) -> None: ...

class CreateLocationResponse(_message.Message):
    __slots__ = ("location",)
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    location: Location
    def __init__(self, location: _Optional[_Union[Location, _Mapping]] = ...) -> None: ...

class UpdateLocationRequest(_message.Message):
    __slots__ = ("location", "update_mask")
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    location: Location
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, location: _Optional[_Union[Location, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class UpdateLocationResponse(_message.Message):
    __slots__ = ("location",)
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    location: Location
    def __init__(self, location: _Optional[_Union[Location, _Mapping]] = ...) -> None: ...

class ListLocationsRequest(_message.Message):
    __slots__ = ("refs", "network_ref", "type", "page_size", "page_token")
    REFS_FIELD_NUMBER: _ClassVar[int]
    NETWORK_REF_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    refs: _containers.RepeatedScalarFieldContainer[str]
    network_ref: str
    type: LocationType
    page_size: int
    page_token: str
    def __init__(self, refs: _Optional[_Iterable[str]] = ..., network_ref: _Optional[str] = ..., type: _Optional[_Union[LocationType, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListLocationsResponse(_message.Message):
    __slots__ = ("locations", "next_page_token")
    LOCATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    locations: _containers.RepeatedCompositeFieldContainer[Location]
    next_page_token: str
    def __init__(self, locations: _Optional[_Iterable[_Union[Location, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class Network(_message.Message):
    __slots__ = ("ref", "name", "order_type", "location_refs")
    REF_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ORDER_TYPE_FIELD_NUMBER: _ClassVar[int]
    LOCATION_REFS_FIELD_NUMBER: _ClassVar[int]
    ref: str
    name: str
    order_type: _common_pb2.OrderType
    location_refs: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, ref: _Optional[str] = ..., name: _Optional[str] = ..., order_type: _Optional[_Union[_common_pb2.OrderType, str]] = ..., location_refs: _Optional[_Iterable[str]] = ...) -> None: ...

class CreateNetworkRequest(_message.Message):
    __slots__ = ("network",)
    NETWORK_FIELD_NUMBER: _ClassVar[int]
    network: Network
    def __init__(self, network: _Optional[_Union[Network, _Mapping]] = ...) -> None: ...

class CreateNetworkResponse(_message.Message):
    __slots__ = ("network",)
    NETWORK_FIELD_NUMBER: _ClassVar[int]
    network: Network
    def __init__(self, network: _Optional[_Union[Network, _Mapping]] = ...) -> None: ...

class VirtualCatalogue(_message.Message):
    __slots__ = ("ref", "name", "network_ref", "extra_buffer_qty", "category_buffer_qty")
    class CategoryBufferQtyEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    REF_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NETWORK_REF_FIELD_NUMBER: _ClassVar[int]
    EXTRA_BUFFER_QTY_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_BUFFER_QTY_FIELD_NUMBER: _ClassVar[int]
    ref: str
    name: str
    network_ref: str
    extra_buffer_qty: int
    category_buffer_qty: _containers.ScalarMap[str, int]
    def __init__(self, ref: _Optional[str] = ..., name: _Optional[str] = ..., network_ref: _Optional[str] = ..., extra_buffer_qty: _Optional[int] = ..., category_buffer_qty: _Optional[_Mapping[str, int]] = ...) -> None: ...

class CreateVirtualCatalogueRequest(_message.Message):
    __slots__ = ("virtual_catalogue",)
    VIRTUAL_CATALOGUE_FIELD_NUMBER: _ClassVar[int]
    virtual_catalogue: VirtualCatalogue
    def __init__(self, virtual_catalogue: _Optional[_Union[VirtualCatalogue, _Mapping]] = ...) -> None: ...

class CreateVirtualCatalogueResponse(_message.Message):
    __slots__ = ("virtual_catalogue",)
    VIRTUAL_CATALOGUE_FIELD_NUMBER: _ClassVar[int]
    virtual_catalogue: VirtualCatalogue
    def __init__(self, virtual_catalogue: _Optional[_Union[VirtualCatalogue, _Mapping]] = ...) -> None: ...

class Product(_message.Message):
    __slots__ = ("ref", "name", "category", "price", "weight_grams")
    REF_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_GRAMS_FIELD_NUMBER: _ClassVar[int]
    ref: str
    name: str
    category: str
    price: _common_pb2.Money
    weight_grams: int
    def __init__(self, ref: _Optional[str] = ..., name: _Optional[str] = ..., category: _Optional[str] = ..., price: _Optional[_Union[_common_pb2.Money, _Mapping]] = ..., weight_grams: _Optional[int] = ...) -> None: ...

class CreateProductRequest(_message.Message):
    __slots__ = ("product",)
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    product: Product
    def __init__(self, product: _Optional[_Union[Product, _Mapping]] = ...) -> None: ...

class CreateProductResponse(_message.Message):
    __slots__ = ("product",)
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    product: Product
    def __init__(self, product: _Optional[_Union[Product, _Mapping]] = ...) -> None: ...

class UpsertCustomerRequest(_message.Message):
    __slots__ = ("customer",)
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    customer: _domain_pb2.Customer
    def __init__(self, customer: _Optional[_Union[_domain_pb2.Customer, _Mapping]] = ...) -> None: ...

class UpsertCustomerResponse(_message.Message):
    __slots__ = ("customer", "created")
    CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    customer: _domain_pb2.Customer
    created: bool
    def __init__(self, customer: _Optional[_Union[_domain_pb2.Customer, _Mapping]] = ..., created: _Optional[bool] = ...) -> None: ...

class SourcingWeights(_message.Message):
    __slots__ = ("fixed", "handling", "shipping", "distance", "split", "speed", "ideal_stock", "markdown", "overstock", "stock_age", "sell_through", "vip_service", "scarcity_price", "rejection")
    FIXED_FIELD_NUMBER: _ClassVar[int]
    HANDLING_FIELD_NUMBER: _ClassVar[int]
    SHIPPING_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_FIELD_NUMBER: _ClassVar[int]
    SPLIT_FIELD_NUMBER: _ClassVar[int]
    SPEED_FIELD_NUMBER: _ClassVar[int]
    IDEAL_STOCK_FIELD_NUMBER: _ClassVar[int]
    MARKDOWN_FIELD_NUMBER: _ClassVar[int]
    OVERSTOCK_FIELD_NUMBER: _ClassVar[int]
    STOCK_AGE_FIELD_NUMBER: _ClassVar[int]
    SELL_THROUGH_FIELD_NUMBER: _ClassVar[int]
    VIP_SERVICE_FIELD_NUMBER: _ClassVar[int]
    SCARCITY_PRICE_FIELD_NUMBER: _ClassVar[int]
    REJECTION_FIELD_NUMBER: _ClassVar[int]
    fixed: float
    handling: float
    shipping: float
    distance: float
    split: float
    speed: float
    ideal_stock: float
    markdown: float
    overstock: float
    stock_age: float
    sell_through: float
    vip_service: float
    scarcity_price: float
    rejection: float
    def __init__(self, fixed: _Optional[float] = ..., handling: _Optional[float] = ..., shipping: _Optional[float] = ..., distance: _Optional[float] = ..., split: _Optional[float] = ..., speed: _Optional[float] = ..., ideal_stock: _Optional[float] = ..., markdown: _Optional[float] = ..., overstock: _Optional[float] = ..., stock_age: _Optional[float] = ..., sell_through: _Optional[float] = ..., vip_service: _Optional[float] = ..., scarcity_price: _Optional[float] = ..., rejection: _Optional[float] = ...) -> None: ...

class SourcingRules(_message.Message):
    __slots__ = ("vip_only_product_refs", "vip_reserve_qty", "cc_only_product_refs", "excluded_product_refs", "excluded_categories", "excluded_location_refs", "hd_open_order_limit", "flagship_extra_buffer", "rejection_location_ref", "sla_slack_minutes", "overdue_action", "cancellable_statuses", "revisable_statuses", "network_ref")
    class VipReserveQtyEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    VIP_ONLY_PRODUCT_REFS_FIELD_NUMBER: _ClassVar[int]
    VIP_RESERVE_QTY_FIELD_NUMBER: _ClassVar[int]
    CC_ONLY_PRODUCT_REFS_FIELD_NUMBER: _ClassVar[int]
    EXCLUDED_PRODUCT_REFS_FIELD_NUMBER: _ClassVar[int]
    EXCLUDED_CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    EXCLUDED_LOCATION_REFS_FIELD_NUMBER: _ClassVar[int]
    HD_OPEN_ORDER_LIMIT_FIELD_NUMBER: _ClassVar[int]
    FLAGSHIP_EXTRA_BUFFER_FIELD_NUMBER: _ClassVar[int]
    REJECTION_LOCATION_REF_FIELD_NUMBER: _ClassVar[int]
    SLA_SLACK_MINUTES_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_ACTION_FIELD_NUMBER: _ClassVar[int]
    CANCELLABLE_STATUSES_FIELD_NUMBER: _ClassVar[int]
    REVISABLE_STATUSES_FIELD_NUMBER: _ClassVar[int]
    NETWORK_REF_FIELD_NUMBER: _ClassVar[int]
    vip_only_product_refs: _containers.RepeatedScalarFieldContainer[str]
    vip_reserve_qty: _containers.ScalarMap[str, int]
    cc_only_product_refs: _containers.RepeatedScalarFieldContainer[str]
    excluded_product_refs: _containers.RepeatedScalarFieldContainer[str]
    excluded_categories: _containers.RepeatedScalarFieldContainer[str]
    excluded_location_refs: _containers.RepeatedScalarFieldContainer[str]
    hd_open_order_limit: int
    flagship_extra_buffer: int
    rejection_location_ref: str
    sla_slack_minutes: int
    overdue_action: OverdueAction
    cancellable_statuses: _containers.RepeatedScalarFieldContainer[_common_pb2.FulfilmentStatus]
    revisable_statuses: _containers.RepeatedScalarFieldContainer[_common_pb2.FulfilmentStatus]
    network_ref: str
    def __init__(self, vip_only_product_refs: _Optional[_Iterable[str]] = ..., vip_reserve_qty: _Optional[_Mapping[str, int]] = ..., cc_only_product_refs: _Optional[_Iterable[str]] = ..., excluded_product_refs: _Optional[_Iterable[str]] = ..., excluded_categories: _Optional[_Iterable[str]] = ..., excluded_location_refs: _Optional[_Iterable[str]] = ..., hd_open_order_limit: _Optional[int] = ..., flagship_extra_buffer: _Optional[int] = ..., rejection_location_ref: _Optional[str] = ..., sla_slack_minutes: _Optional[int] = ..., overdue_action: _Optional[_Union[OverdueAction, str]] = ..., cancellable_statuses: _Optional[_Iterable[_Union[_common_pb2.FulfilmentStatus, str]]] = ..., revisable_statuses: _Optional[_Iterable[_Union[_common_pb2.FulfilmentStatus, str]]] = ..., network_ref: _Optional[str] = ...) -> None: ...

class SourcingProfile(_message.Message):
    __slots__ = ("order_type", "version", "active", "weights", "split_limit", "rules", "create_time", "service_choice")
    ORDER_TYPE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    SPLIT_LIMIT_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    SERVICE_CHOICE_FIELD_NUMBER: _ClassVar[int]
    order_type: _common_pb2.OrderType
    version: int
    active: bool
    weights: SourcingWeights
    split_limit: int
    rules: SourcingRules
    create_time: _timestamp_pb2.Timestamp
    service_choice: ServiceChoice
    def __init__(self, order_type: _Optional[_Union[_common_pb2.OrderType, str]] = ..., version: _Optional[int] = ..., active: _Optional[bool] = ..., weights: _Optional[_Union[SourcingWeights, _Mapping]] = ..., split_limit: _Optional[int] = ..., rules: _Optional[_Union[SourcingRules, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., service_choice: _Optional[_Union[ServiceChoice, str]] = ...) -> None: ...

class SetSourcingProfileRequest(_message.Message):
    __slots__ = ("profile",)
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    profile: SourcingProfile
    def __init__(self, profile: _Optional[_Union[SourcingProfile, _Mapping]] = ...) -> None: ...

class SetSourcingProfileResponse(_message.Message):
    __slots__ = ("profile",)
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    profile: SourcingProfile
    def __init__(self, profile: _Optional[_Union[SourcingProfile, _Mapping]] = ...) -> None: ...

class GetSourcingProfileRequest(_message.Message):
    __slots__ = ("order_type", "version")
    ORDER_TYPE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    order_type: _common_pb2.OrderType
    version: int
    def __init__(self, order_type: _Optional[_Union[_common_pb2.OrderType, str]] = ..., version: _Optional[int] = ...) -> None: ...

class GetSourcingProfileResponse(_message.Message):
    __slots__ = ("profile",)
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    profile: SourcingProfile
    def __init__(self, profile: _Optional[_Union[SourcingProfile, _Mapping]] = ...) -> None: ...

class WebhookSubscription(_message.Message):
    __slots__ = ("id", "url", "secret", "event_types", "create_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    SECRET_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    url: str
    secret: str
    event_types: _containers.RepeatedScalarFieldContainer[WebhookEventType]
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., url: _Optional[str] = ..., secret: _Optional[str] = ..., event_types: _Optional[_Iterable[_Union[WebhookEventType, str]]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateWebhookSubscriptionRequest(_message.Message):
    __slots__ = ("subscription",)
    SUBSCRIPTION_FIELD_NUMBER: _ClassVar[int]
    subscription: WebhookSubscription
    def __init__(self, subscription: _Optional[_Union[WebhookSubscription, _Mapping]] = ...) -> None: ...

class CreateWebhookSubscriptionResponse(_message.Message):
    __slots__ = ("subscription",)
    SUBSCRIPTION_FIELD_NUMBER: _ClassVar[int]
    subscription: WebhookSubscription
    def __init__(self, subscription: _Optional[_Union[WebhookSubscription, _Mapping]] = ...) -> None: ...

class ListWebhookSubscriptionsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListWebhookSubscriptionsResponse(_message.Message):
    __slots__ = ("subscriptions",)
    SUBSCRIPTIONS_FIELD_NUMBER: _ClassVar[int]
    subscriptions: _containers.RepeatedCompositeFieldContainer[WebhookSubscription]
    def __init__(self, subscriptions: _Optional[_Iterable[_Union[WebhookSubscription, _Mapping]]] = ...) -> None: ...
