site-name = Amicus
skip-to-content = انتقل إلى المحتوى
nav-main = التنقل الرئيسي
nav-languages = اللغات
nav-library = المكتبة
nav-orgs = المنظمات
nav-new-resource = مورد جديد
nav-login = تسجيل الدخول
nav-logout = تسجيل الخروج ({ $user })
nav-logout-everywhere = تسجيل الخروج من كل الأجهزة
footer-about = مكتبة للعدالة الدولية تديرها المنظمات التي تنشر فيها
footer-source = الشيفرة المصدرية

library-title = مكتبة الموارد
library-intro = مذكرات إحاطة وتقارير وأدلة ومذكرات قانونية وسوابق قضائية ومعاهدات، بالعربية والإنجليزية والفرنسية والإسبانية.
search-label = البحث في المكتبة
search-placeholder = مثلا: الاختفاء القسري، ICC-01/14-01/21
search-button = بحث
search-results-for = نتائج البحث عن «{ $query }»
results-count = { $count ->
    [zero] لا توجد موارد
    [one] مورد واحد
    [two] موردان
    [few] { $count } موارد
    [many] { $count } موردا
   *[other] { $count } مورد
}
no-results = لم يُعثر على شيء. جرّب كلمات أقل أو أزل أحد المرشحات.
facets-label = المرشحات
clear-filters = إزالة جميع المرشحات
facet-type = النوع
facet-theme = الموضوع
facet-mechanism = الآلية
facet-country = البلد
facet-language = اللغة
facet-year = السنة
facet-org = المنظمة
pager-label = الصفحات
pager-prev = الصفحة السابقة
pager-next = الصفحة التالية
feed-library-title = مكتبة Amicus
feed-description = الموارد الجديدة والمحدّثة

also-available-in = متوفر أيضا باللغات
not-available-in-your-language = هذا المورد غير متوفر باللغة { $language }، ويُعرض بلغته الأصلية.
attachments = الملفات
content-warning = تحذير بشأن المحتوى
sensitive = حساس
resource-withdrawn = سحبت الجهة الناشرة هذا المورد.
resource-draft = مسودة: لا يراها إلا أعضاء المنظمة.
status-draft = مسودة
status-published = منشور
status-withdrawn = مسحوب
editor-tools = للمحررين
edit-resource = تعديل المورد
new-resource = مورد جديد
action-publish = نشر
action-withdraw = سحب
action-draft = إعادة إلى المسودة
delete-resource = حذف المورد
delete-warning = الحذف يزيل المورد وترجماته وملفاته نهائيا. لإخفائه مع الاحتفاظ به، اسحبه بدلا من ذلك.
translations = الترجمات
translation-missing = لم يُترجم بعد
section-text = النص باللغة { $language }
section-description = الوصف
section-sensitivity = الحساسية
field-title = العنوان
field-summary = ملخص بلغة مبسطة
field-body = النص
field-org = المنظمة
field-original-language = اللغة الأصلية
field-published = تاريخ الوثيقة
field-audiences = الفئات المستهدفة
field-reading-level = مستوى القراءة
field-authors = المنظمات المؤلفة
field-licence = الترخيص
field-sensitive = حساس: لا يظهر في المعاينات إلا تحذير
field-status = الحالة
field-file = الملف
field-file-language = لغة الملف
field-username = اسم المستخدم
field-password = كلمة المرور
field-role = الدور
field-org-name = الاسم
field-description = الوصف
field-website = الموقع الإلكتروني
field-logo = الشعار
hint-summary = جملة إلى ثلاث جمل قصيرة بلغة مبسطة، { $max } حرفا على الأكثر، دون تفاصيل صادمة.
hint-body = Markdown: سطر فارغ يفصل بين الفقرات، **خط عريض**، [رابط](https://example.org).
hint-authors = منظمة واحدة في كل سطر؛ الأولى هي المؤلفة الرئيسية.
hint-file = PDF أو DOCX أو ODT أو صور أو صوت أو فيديو. تُزال أسماء المؤلفين وبيانات EXIF وGPS من الصور وملفات PDF ومستندات DOCX/ODT، أما ملفات الصوت والفيديو فتبقى بياناتها كما هي.
save = حفظ
upload = رفع
form-has-errors = يرجى تصحيح ما يلي:

orgs-title = المنظمات
no-orgs = لا توجد منظمات بعد.
org-resources = المنشورات
see-all = عرض جميع المنشورات
members = الأعضاء
members-private = لا يرى هذه القائمة إلا أعضاء المنظمة.
edit-profile = تعديل الملف التعريفي
role-admin = مسؤول
role-editor = محرر

login-title = تسجيل الدخول
login-button = دخول
login-wait = محاولات كثيرة جدا لهذا الحساب. انتظر { $seconds } ثانية ثم حاول مرة أخرى. على جهاز سبق أن سجّلت الدخول منه، يمكنك المحاولة فورا.
back-to-library = العودة إلى المكتبة

error-not-found = الصفحة غير موجودة
error-not-found-help = ربما كُتب العنوان خطأ، أو حُذفت الصفحة.
error-gone = لم يعد متاحا
error-gone-help = سحبت الجهة الناشرة هذا المورد.
error-unauthorized = يرجى تسجيل الدخول
error-unauthorized-help = عليك تسجيل الدخول، أو إرسال رمز API صالح، للقيام بذلك.
error-forbidden = غير مسموح
error-forbidden-help = لا يملك حسابك صلاحية القيام بذلك. اطلبها من أحد مسؤولي المنظمة.
error-invalid = بعض الحقول تحتاج إلى تصحيح
error-invalid-help = لم يُحفظ شيء. صحّح الحقول المذكورة وحاول مرة أخرى.
error-conflict = مستخدم من قبل
error-conflict-help = يوجد عنصر بهذا الاسم من قبل. اختر اسما آخر.
error-too-large = الملف كبير جدا
error-too-large-help = حجم الملف أكبر مما يقبله هذا الخادم. اضغطه أو قسّمه ثم حاول مرة أخرى.
error-unsupported-media = نوع الملف هذا غير مقبول
error-unsupported-media-help = الأنواع المقبولة: PDF وDOCX وODT وJPEG وPNG وWebP وGIF وMP3 وOGG وWAV وMP4 وWebM. يُقرأ النوع من محتوى الملف نفسه لا من اسمه.
error-rate-limited = محاولات كثيرة جدا
error-rate-limited-help = محاولات فاشلة كثيرة لهذا الحساب. انتظر خمس عشرة دقيقة ثم حاول مرة أخرى.
error-unavailable = غير متاح مؤقتا
error-unavailable-help = تعذّر الوصول إلى قاعدة البيانات حاليا. لم يضع شيء مما أرسلته من جهتنا؛ حاول مرة أخرى بعد دقيقة.
error-internal = حدث خطأ
error-internal-help = سُجّل الخطأ. حاول مرة أخرى، وإن تكرر فأبلغ مسؤول الخادم.
error-csrf = انتهت صلاحية النموذج
error-csrf-help = حفاظا على أمانك تنتهي صلاحية النماذج. ارجع وأعد تحميل الصفحة ثم أرسله مجددا.
error-bad-form = تعذّرت قراءة النموذج
error-bad-form-help = البيانات المرسلة ناقصة أو تالفة. أعد تحميل الصفحة وحاول مرة أخرى.
error-malformed-json = JSON غير صالح
error-malformed-json-help = متن الطلب ليس JSON صالحا.

err-unknown-term = «{ $value }» ليس مصطلحا من هذه المفردات.
err-unsupported-language = «{ $value }» ليس رمز لغة مدعوما (استخدم ar أو en أو fr أو es).
err-no-translation = اكتب النص بلغة واحدة على الأقل.
err-original-missing = لا يوجد نص باللغة الأصلية ({ $value }).
err-empty-title = العنوان فارغ.
err-too-long = طويل جدا: { $value } حرفا على الأكثر.
err-summary-too-long = الملخص طويل جدا: { $value } حرفا على الأكثر.
err-too-many = قيم كثيرة جدا: { $value } على الأكثر.
err-bad-date = «{ $value }» ليس تاريخا (استخدم الصيغة YYYY-MM-DD).
err-bad-status = «{ $value }» ليست حالة (draft أو published أو withdrawn).
err-bad-handle = لا يصلح «{ $value }» معرّفا: من 2 إلى 30 حرفا لاتينيا صغيرا أو رقما أو _، يبدأ بحرف.
err-bad-username = لا يصلح «{ $value }» اسم مستخدم: من 2 إلى 30 حرفا لاتينيا صغيرا أو رقما أو _ أو .، يبدأ بحرف.
err-empty-name = الاسم فارغ.
err-bad-url = «{ $value }» ليس عنوانا على الويب (http أو https).
err-password-short = كلمة المرور قصيرة جدا: { $value } حرفا على الأقل. بضع كلمات لا رابط بينها تصنع كلمة مرور قوية.
err-login-failed = اسم المستخدم أو كلمة المرور غير صحيحة.
err-no-such-org = لا توجد منظمة باسم «{ $value }».
err-no-such-user = لا يوجد حساب باسم «{ $value }».
err-taken = هذا الاسم مستخدم من قبل.
err-no-file = اختر ملفا لرفعه.
err-bad-file = الملف تالف أو ليس فعلا ملفا من نوع { $value }.
err-bad-pdf = تعذّر فتح ملف PDF هذا لإزالة بياناته الوصفية (قد يكون تالفا أو مشفرا). احفظه من جديد دون كلمة مرور ثم حاول مرة أخرى.
err-bad-idempotency-key = يجب أن يتكوّن ترويسة Idempotency-Key من 1 إلى 255 محرفا من محارف ASCII القابلة للطباعة.
err-image-too-large = الصورة كبيرة جدا: { $value } ميغابكسل على الأكثر. صغّرها ثم حاول مرة أخرى.
err-bad-cursor = «{ $value }» ليس مؤشر صفحة صالحا.
err-json-shape = بنية JSON غير متوقعة: { $value }

cli-created-user = أُنشئ الحساب { $user } ({ $role })
cli-created-org = أُنشئت المنظمة { $address }
cli-member-added = أصبح { $user } بدور { $role } في { $org }
cli-exported = صُدّر { $count } سطرًا (موارد وبيانات وحملات)
cli-import-summary = استُورد { $created } جديدا، وحُدّث { $updated }، و{ $errors } سطرا فيها أخطاء
cli-import-line = السطر { $line }: { $reason }
cli-import-failed = لم يُستورد { $count } من الأسطر
cli-cannot-open = تعذّر فتح { $file }: { $reason }
cli-listening = يعمل Amicus { $version } على http://{ $bind } باسم { $url }
cli-database = قاعدة البيانات: { $kind }
cli-no-accounts = لا توجد حسابات بعد. أنشئ أول مسؤول بالأمر:
cli-taken = { $field } مستخدم من قبل
err-import-not-json = مورد غير صالح: { $value }
err-import-no-external-id = الحقل external_id مفقود، وهو ما يتيح لإعادة الاستيراد تحديث المورد بدلا من تكراره.
followers-count = { $count ->
    [zero] لا متابعين
    [one] متابع واحد
    [two] متابعان
    [few] { $count } متابعين
    [many] { $count } متابعا
   *[other] { $count } متابع
}

error-bad-activity = تعذّر قبول النشاط
error-bad-activity-help = بنيته غير صحيحة، أو يذكر عناصر لا تخص مرسله.
error-remote-unreachable = تعذّر الوصول إلى الخادم الآخر
error-remote-unreachable-help = ربما يكون متوقفا أو بطيئا. حاول لاحقا.
error-remote-refused = هذا الخادم غير مسموح به
error-remote-refused-help = لا يتبادل هذا الخادم البيانات مع هذا العنوان.
error-remote-not-activitypub = لم يُجب الخادم الآخر بصيغة ActivityPub
error-remote-not-activitypub-help = أجاب العنوان، لكن ليس بمستند ActivityPub (قد يكون صفحة ويب). تحقّق من العنوان.
error-remote-unparseable = أرسل الخادم الآخر ردا تتعذّر قراءته
error-remote-unparseable-help = تعذّرت قراءة رده بوصفه الفاعل أو الكائن المنتظر، أو أنه يشير إلى عنوان غير المطلوب.
error-remote-not-found = لا يوجد هذا الحساب على الخادم الآخر
error-remote-not-found-help = لا يعرف الخادم الآخر هذا الاسم. تحقّق من كتابة الاسم@الخادم.
activity-ignored = قُبل وتُجوهل
activity-ignored-help = لا يُعالج هذا النوع من الأنشطة هنا.
err-bad-target = «{ $value }» ليس عنوانا من قبيل name@server.example ولا عنوانا على الويب.
err-target-not-found = لم يُعثر على حساب «{ $value }».
err-target-unreachable = تعذّر الوصول إلى خادم «{ $value }». قد يكون معطلا أو بطيئا؛ حاول لاحقا.
err-target-not-activitypub = أجاب «{ $value }»، لكن ليس بفاعل ActivityPub (قد يكون صفحة ويب).
err-target-unparseable = أرسل خادم «{ $value }» فاعلا تتعذّر قراءته، أو يشير إلى عنوان آخر.
err-target-local = «{ $value }» موجود على هذا الخادم أصلا.
resource-remote = نُشر على خادم آخر تتابعه إحدى المنظمات هنا:
cli-delivery-status = عمليات التسليم: { $pending } قيد الانتظار، و{ $failed } فاشلة، و{ $done } مُسلّمة. حسب الخادم (قيد الانتظار / فاشلة):
cli-host-dead = (متوقف: يُتجاوز حتى إعادة المحاولة)
cli-retried = { $host }: أُعيد إدراج { $count } من عمليات التسليم
cli-blocked = حُظر { $domain }: لا يُرسل إليه شيء ولا يُجلب منه ولا يُقبل منه شيء
cli-allowed = سُمح بـ { $domain } (يُعتدّ بذلك في وضع الشركاء فقط)
cli-forgotten = لم تعد هناك قاعدة لـ { $domain }
err-bad-domain = «{ $value }» ليس اسم نطاق.
err-target-refused = «{ $value }» على خادم لا يتبادل معه هذا الخادم.
federation-title = المتابِعون والمتابَعون
followers-pending = طلبات المتابعة
followers-automatic = يُقبل المتابعون الجدد تلقائيا؛ فعّل «الموافقة على المتابعين» في نموذج الملف التعريفي لمراجعتهم أولا.
no-pending = لا توجد طلبات معلقة.
approve = موافقة
reject = رفض
follow-someone = متابعة منظمة
follow-target = العنوان على Amicus أو على أي خادم في الفديفرس (name@server.example) أو عنوانه على الويب
follow-button = متابعة
field-manual-approval = الموافقة على المتابعين قبل أن يروا منشوراتنا
admin-federation-title = الاتحاد
admin-deliveries = عمليات التسليم: { $pending } قيد الانتظار، و{ $failed } فاشلة، و{ $done } مُسلّمة.
admin-host = الخادم
admin-pending = قيد الانتظار
admin-failed = فاشلة
admin-dead = متعذّر الوصول منذ أيام: يُتجاوز
admin-retry = أعد المحاولة الآن
admin-all-delivered = سُلّم كل شيء.
admin-rules = قواعد الاتحاد

share-title = المشاركة مع المتابعين
share-as = المشاركة باسم
share-as-one = المشاركة باسم { $org }
action-share = مشاركة
shared-done = تمت المشاركة مع متابعي { $org }.
shared-nobody = لا أحد يتابع { $org } بعد: لم يُرسل شيء.

# people in the browser
nav-account = حسابي
list-separator = {"، "}
role-member = عضو
confirm-title = هل أنت متأكد؟
confirm-yes = نعم، تابع
confirm-cancel = إلغاء
confirm-logout-everywhere = ستنتهي كل جلسات حسابك على كل الأجهزة، ومنها هذا الجهاز.
confirm-remove-member = لن يرى هذا الشخص مسودات المنظمة ولن ينشر باسمها بعد الآن. يبقى حسابه قائما.
account-title = حسابي
account-name = الاسم الظاهر للآخرين
field-display-name = الاسم الظاهر (اختياري)
account-password = كلمة المرور
password-rule = عشرة أحرف على الأقل؛ جملة من عدة كلمات سهلة التذكر وصعبة التخمين.
password-others-end = تغييرها ينهي جلساتك على الأجهزة الأخرى.
field-current-password = كلمة المرور الحالية
field-new-password = كلمة المرور الجديدة
field-password-again = كلمة المرور الجديدة مرة أخرى
account-change-password = تغيير كلمة المرور
account-sessions = الأجهزة التي سجلت الدخول منها
field-device = الجهاز
field-since = منذ
field-last-used = آخر استخدام
field-actions = إجراءات
session-this-one = هذا الجهاز
session-end = تسجيل الخروج هناك
sessions-end-others = تسجيل الخروج من كل الأجهزة الأخرى
account-history = عمليات الدخول الأخيرة
account-history-hint = تظهر هنا أيضا المحاولات الفاشلة على حسابك. لا يُحفظ إلا نوع المتصفح والنظام، ولا يُحفظ أي عنوان.
field-when = متى
field-result = النتيجة
sign-in-ok = دخول ناجح
sign-in-failed = فشل (كلمة مرور أو رمز خاطئ)
link-title-invite = رابط الدعوة
link-title-reset = رابط إعادة تعيين كلمة المرور
link-shown-once = يظهر هذا الرابط مرة واحدة فقط ويعمل مرة واحدة خلال { $days } أيام. انسخه الآن.
link-label = الرابط
link-how-invite = أرسله عبر قناة تثق بها (سيغنال، أو يدا بيد…). من يفتحه يختار اسم مستخدم وكلمة مرور.
link-how-reset = سلّمه إلى الشخص عبر قناة تثق بها. عند فتحه يختار كلمة مرور جديدة، وتنتهي كل جلساته.
link-back = رجوع
link-gone-title = لا يمكن استخدام هذا الرابط
link-gone = سبق استخدامه أو انتهت صلاحيته. اطلب رابطا جديدا ممن أرسله إليك.
invitation-title = الانضمام إلى أميكوس
invitation-to-org = أنت مدعو إلى { $org } بدور { $role }.
invitation-to-instance = أنت مدعو إلى هذا الخادم بدور { $role }.
username-rule = من 2 إلى 30 حرفا لاتينيا صغيرا أو رقما أو «_» أو «.»، يبدأ بحرف. سيراه الآخرون.
invitation-accept = إنشاء حسابي
reset-title = اختيار كلمة مرور جديدة
reset-sessions-end = ستنتهي كل جلسات الحساب.
reset-button = حفظ كلمة المرور
people-title = الأشخاص
invite-title = دعوة شخص
invite-hint = ستحصل على رابط صالح لمرة واحدة مدة 7 أيام لتسلّمه؛ لا يُرسل أي بريد إلكتروني.
field-instance-role = الدور في هذا الخادم
invite-no-org = بلا منظمة
field-org-role = الدور في المنظمة
invite-button = إنشاء رابط دعوة
create-org-title = إنشاء منظمة
field-handle = المعرّف (العنوان: ‎@المعرّف@هذا-الخادم)
handle-rule = من 2 إلى 30 حرفا لاتينيا صغيرا أو رقما أو «_». لا يمكن تغييره لاحقا.
create-org-button = إنشاء المنظمة
people-list = الحسابات
reset-column = كلمة مرور مفقودة
reset-issue = رابط إعادة تعيين لـ { $user }
role-change = تغيير
member-remove = إزالة
err-bad-display-name = الاسم الظاهر 80 حرفا على الأكثر وبلا أحرف تحكم.
err-passwords-differ = كلمتا المرور غير متطابقتين.
err-wrong-password = كلمة المرور الحالية غير صحيحة.
err-last-admin = تحتاج المنظمة إلى مسؤول واحد على الأقل: عيّن شخصا آخر مسؤولا أولا.
done-name = حُفظ اسمك.
done-password = تغيّرت كلمة مرورك وانتهت جلساتك الأخرى.
done-password-reset = حُفظت كلمة مرورك. سجّل الدخول بها.
done-session-ended = انتهت تلك الجلسة.
done-sessions-ended = انتهت جلساتك الأخرى.
done-welcome = أهلا بك! حسابك جاهز.
done-org-created = أُنشئت المنظمة. ادعُ أدناه أول مسؤول لها.
done-role-changed = تغيّر الدور.
done-member-removed = أُزيل الشخص من المنظمة.
code-title = الخطوة الثانية: رمزك
field-code = الرمز
code-hint = الأرقام الستة التي يعرضها الآن تطبيق المصادقة، أو أحد رموز الاسترداد.
twofa-title = الدخول بخطوتين
twofa-manage = تفعيل الخطوة الثانية أو تغييرها
twofa-on = الدخول بخطوتين مفعّل. بقي { $left } من رموز الاسترداد.
twofa-disable = إيقاف الدخول بخطوتين
twofa-explain = بعد كلمة المرور سيطلب أميكوس أيضا رمزا من ستة أرقام من تطبيق مصادقة على هاتفك (مثل Aegis أو FreeOTP أو Google Authenticator). من يعرف كلمة مرورك لن يستطيع الدخول مع ذلك.
twofa-scan = امسح هذا الرمز بالتطبيق.
twofa-or-type = أو اكتب هذا المفتاح في التطبيق:
twofa-enable = تفعيل
twofa-enabled = الدخول بخطوتين مفعّل.
recovery-title = رموز الاسترداد
recovery-explain = كل رمز يتيح لك الدخول مرة واحدة إن فقدت هاتفك. لا تظهر إلا الآن: اكتبها أو اطبعها واحفظها بعيدا عن هاتفك.
err-wrong-code = هذا الرمز غير صحيح أو سبق استخدامه. تحقق من الوقت في هاتفك.
done-2fa-off = أُوقف الدخول بخطوتين.
done-code-expired = مرّت أكثر من 5 دقائق: أدخل كلمة المرور مرة أخرى.
twofa-state-on = مفعّل: بعد كلمة المرور يُطلب رمز من هاتفك.
twofa-state-off = غير مفعّل: كلمة المرور وحدها تفتح حسابك.

# the editor never loses work; confirmations
editor-text-kept = كل ما كتبته ما زال في النموذج أدناه.
editor-resumed = سجّلت الدخول من جديد. نصّك كما تركته: راجعه ثم احفظه.
login-again = انتهت جلستك قبل حفظ النموذج. سجّل الدخول من جديد: نصّك محفوظ وسيعود النموذج كما تركته.
section-text-new = النص
field-text-language = لغة هذا النص
hint-published = تاريخ الوثيقة نفسها (اعتمادها أو صدور الحكم أو نشرها): سنة (1998) أو شهر (1998-07) أو يوم (1998-07-17).
chars-left = بقي { $left } حرفًا (الحد الأقصى { $max }).
chars-max = الحد الأقصى { $max } حرفًا.
save-in = حفظ ({ $language })
hint-file-limit = أقصى حجم للملف: { $size }.
confirm-withdraw = هل تريد سحب هذا المورد؟ سيخرج من المكتبة ويُبلَّغ متابعوه، وسيشير عنوانه إلى أنه سُحب. يمكنك نشره من جديد لاحقًا.
confirm-draft = هل تريد إعادة هذا المورد إلى المسودة؟ لن يراه إلا محررو منظمته حتى يُنشر من جديد.
confirm-delete = هل تريد حذف هذا المورد وترجماته وملفاته نهائيًا؟ لا يمكن التراجع عن ذلك.
done-saved = تم الحفظ.
done-published = تم النشر. يجري إبلاغ المتابعين.
done-withdrawn = تم السحب. لم يعد يظهر في المكتبة.
done-unpublished = أُعيد إلى المسودة.
done-deleted = تم الحذف.
done-uploaded = تم رفع الملف.
published-here = تاريخ النشر على هذا الخادم
no-such-text = لا يوجد لهذا المورد نص بلغة «{ $code }»، فهو معروض بلغة أخرى.
unsupported-ui-language = «{ $code }» ليست من لغات الواجهة (العربية، English، Français، Español)، فالصفحة معروضة بلغة أخرى.
error-not-json = يجب أن يكون متن الطلب بصيغة JSON
error-not-json-help = أرسله مع الترويسة Content-Type: application/json.
error-method-not-allowed = هذا العنوان لا يقبل هذه الطريقة
error-method-not-allowed-help = ترويسة Allow تذكر الطرق التي يقبلها.
follow-title = المتابعة من ماستودون أو خادم آخر في الفديفرس
follow-help = تابِع هذه المنظمة من حسابك: اكتب اسم خادمك وستنتقل إلى صفحة المتابعة فيه. أو ابحث عن هذا العنوان في تطبيقك:
field-your-server = خادمك
hint-your-server = مثلًا mastodon.social، أو عنوانك الكامل مثل ‎@you@mastodon.social.
err-bad-server = «{ $value }» ليس اسم خادم. اكتبه بهذا الشكل: mastodon.social.
field-alt = وصف الصورة (نص بديل)
hint-alt = مطلوب للصور: ما تُظهره، لمن لا يستطيع رؤيتها. غير مطلوب للملفات الأخرى.
err-alt-required = صِف ما تُظهره الصورة: من لا يستطيع رؤيتها يعتمد على هذا النص.
filters-title = عوامل التصفية
filters-apply = تطبيق عوامل التصفية
facet-more = عرض الكل ({ $count } أخرى)
facet-find = ابحث في { $facet }
chosen-filters = عوامل التصفية المختارة
remove-filter = إزالة عامل التصفية هذا
security-title = الأمان
require-2fa = اشتراط تسجيل الدخول بخطوتين للمديرين والمحررين
require-2fa-hint = من لم يفعّله سيُطلب منه تفعيله في خطوته التالية قبل أن يتمكن من النشر أو الإدارة. لا يتأثر الأعضاء الذين يقرؤون فقط.
done-2fa-required = يشترط هذا الخادم تسجيل الدخول بخطوتين لدورك. فعّله للمتابعة.
done-setting-saved = تم حفظ الإعداد.
err-2fa-yourself-first = فعّل تسجيل الدخول بخطوتين لحسابك أولًا، وإلا فسيمنعك هذا الإعداد من الدخول.
email-title = البريد الإلكتروني
field-email = بريدك الإلكتروني (اختياري)
hint-email = لا يُستخدم إلا لإرسال رابط إليك إن نسيت كلمة المرور. اتركه فارغًا إن لم ترغب في إعطائه.
err-bad-email = «{ $value }» ليس عنوان بريد إلكتروني.
done-email = تم حفظ البريد الإلكتروني.
field-invite-email = بريده الإلكتروني (اختياري)
hint-invite-email = يُرسل الرابط إليه أيضًا، ولا يُحفظ العنوان.
link-mailed = أُرسل الرابط أيضًا إلى { $to }.
link-not-mailed = تعذّر إرسال الرابط إلى { $to }: لم يقبله خادم البريد. أرسله بطريقة أخرى.
forgot-link = نسيت كلمة المرور؟
forgot-title = كلمة مرور منسية
forgot-help = اكتب اسم المستخدم أو البريد الإلكتروني المسجّل في حسابك. إن كان للحساب بريد، يُرسل إليه رابط لاختيار كلمة مرور جديدة، صالح لمرة واحدة خلال ساعتين. إن لم يكن له بريد، اطلب رابطًا من أحد المديرين.
field-who = اسم المستخدم أو البريد الإلكتروني
forgot-button = أرسل الرابط
forgot-sent = إن طابق حسابٌ له بريد إلكتروني، فالرابط في طريقه إليه. وهو صالح لمرة واحدة خلال ساعتين.
mail-invite-subject = دعوتك إلى { $domain }
mail-invite-body =
    أنت مدعو للانضمام إلى { $domain }، وهو خادم Amicus.

    افتح هذا الرابط لاختيار اسم المستخدم وكلمة المرور (صالح لمرة واحدة خلال { $days } أيام):
    { $link }

    إن لم تكن تتوقع هذه الرسالة فتجاهلها.
mail-reset-subject = كلمة مرور جديدة على { $domain }
mail-reset-body =
    طلب أحدهم كلمة مرور جديدة لحسابك على { $domain }.

    افتح هذا الرابط لاختيارها (صالح لمرة واحدة):
    { $link }

    إن لم تكن أنت، فتجاهل هذه الرسالة: كلمة مرورك لا تتغير.
passkeys-title = مفاتيح المرور ومفاتيح الأمان
passkeys-explain = بدل كتابة رمز، يمكنك تأكيد تسجيل الدخول بمفتاح مرور (على هذا الهاتف أو الحاسوب) أو بمفتاح أمان. يبقى تطبيق المصادقة ورموز الاسترداد صالحة.
passkey-added-on = أُضيف في { $date }
passkey-used-on = آخر استخدام في { $date }
passkey-remove = إزالة
field-passkey-name = اسم مفتاح المرور الجديد
passkey-name-example = مثلًا: حاسوب العمل
passkey-add = إضافة مفتاح مرور
passkeys-need-js = إضافة مفتاح مرور أو استخدامه تتطلب JavaScript، أما الرموز فتعمل من دونها.
err-passkey-refused = لم يُقبل مفتاح المرور. حاول مجددًا أو استخدم رمزًا.
err-passkey-needs-2fa = فعّل أولًا تسجيل الدخول بخطوتين بتطبيق مصادقة.
err-passkey-name = أعطِ المفتاح اسمًا قصيرًا (60 حرفًا على الأكثر).
passkey-or = أو أكّد بمفتاح مرور أو مفتاح أمان:
passkey-use = استخدام مفتاح مرور
done-passkey-added = أُضيف مفتاح المرور.
done-passkey-removed = أُزيل مفتاح المرور.
done-passkey-wrong-password = كلمة المرور خاطئة: لم يُزل مفتاح المرور.
sort-label = الترتيب
sort-relevance = الأكثر صلة (الأحدث أولًا دون بحث)
sort-newest = الوثائق الأحدث أولًا
sort-oldest = الوثائق الأقدم أولًا
err-bad-sort = «{ $value }» ليس ترتيبًا: relevance أو newest أو oldest.
# the agenda
err-bad-timezone = «{ $value }» ليست منطقة زمنية: استخدم اسمًا من قاعدة IANA مثل Europe/Amsterdam أو America/Bogota.
err-bad-datetime = «{ $value }» ليس تاريخًا ووقتًا: اكتبه هكذا 2027-03-04T09:30.
err-end-before-start = النهاية تسبق البداية.
err-date-out-of-range = «{ $value }» بعيد جدًا عن اليوم.
err-time-does-not-exist = «{ $value }» وقت لا يوجد في هذه المنطقة الزمنية: الساعات تقفز فوق هذه الساعة.
err-event-too-long = لا يتجاوز الحدث { $value } يومًا؛ استخدم التكرار للدورات التي تتكرر.
err-bad-rrule = «{ $value }» ليس تكرارًا يقرؤه هذا التقويم (FREQ=DAILY أو WEEKLY أو MONTHLY أو YEARLY مع COUNT أو UNTIL).
err-rrule-unbounded = يجب أن ينتهي التكرار: حدّد COUNT أو UNTIL.
err-rrule-too-many = هذا التكرار ينتج أكثر من 1000 حدث.
err-no-such-resource = لا يوجد مورد «{ $value }» في المكتبة.
err-org-fixed = يبقى الحدث تابعًا لمنظمته.
nav-agenda = جدول الأعمال
agenda-title = جدول الأعمال
agenda-intro = الجلسات ودورات الأمم المتحدة والمواعيد النهائية وأنشطة المناصرة لمنظمات هذا الخادم والشركاء الذين تتابعهم. يظهر كل وقت بالمنطقة الزمنية للحدث، وبمنطقتك حين تختارها.
agenda-empty = لا شيء مقرر بعد.
agenda-zone = اعرض الأوقات أيضًا بـ (منطقتك الزمنية)
agenda-zone-set = عرض
agenda-was = كان في
agenda-when = متى
agenda-where = أين
agenda-online = عبر الإنترنت
agenda-case = القضية
agenda-session = الدورة
agenda-source = التقويم الرسمي
agenda-registration = التسجيل
agenda-resources = ذات صلة في المكتبة
agenda-ics = ملف التقويم (ICS)
agenda-subscribe = اشترك في تطبيق التقويم
agenda-add-to-calendar = أضف إلى تقويمي
agenda-views = طرق عرض الأجندة
agenda-upcoming = القادمة
agenda-month = الشهر
agenda-day = اليوم
agenda-past = الأحداث الماضية
agenda-nothing-that-day = لا شيء مقرر في هذا اليوم.
agenda-kind = نوع الحدث
agenda-origin = أحداث مَن
agenda-origin-local = أحداث هذا الخادم
agenda-origin-partners = أحداث الشركاء
agenda-live-updated = تم تحديث الأجندة للتو.
agenda-live-postponed = تم تأجيل حدث للتو.
agenda-live-cancelled = تم إلغاء حدث للتو.
agenda-live-rescheduled = تم نقل حدث إلى موعد آخر للتو.
agenda-live-created = أُضيف حدث جديد للتو.
agenda-live-deleted = أُزيل هذا الحدث.
agenda-count = { $count ->
    [zero] لا توجد أحداث
    [one] حدث واحد
    [two] حدثان
    [few] { $count } أحداث
   *[other] { $count } حدثًا
}
error-event-no-start = لا يحدد الحدث وقت بدايته
error-event-no-start-help = يجب أن يذكر كائن Event متى يبدأ (startTime).
error-event-bad-time = تعذّرت قراءة وقت الحدث
error-event-bad-time-help = يجب أن يكون startTime و endTime تاريخًا ووقتًا مع فارق التوقيت (RFC 3339)، أو تاريخًا.
error-event-bad-location = تعذّرت قراءة مكان الحدث
error-event-bad-location-help = يجب أن يكون location من نوع Place أو VirtualLocation أو قائمة بهما أو اسمًا.
cli-exported-events = صُدِّر { $count } حدثًا
cli-import-ics-summary = استُورد { $created } حدثًا جديدًا، وحُدِّث { $updated }، وبقي { $unchanged } دون تغيير، و{ $errors } مدخلات فيها أخطاء
cli-import-ics-failed = لم تُستورد { $count } مدخلات
search-events = الأحداث
search-type-event = حدث
agenda-prev-month = الشهر السابق
agenda-next-month = الشهر التالي
agenda-prev-day = اليوم السابق
agenda-next-day = اليوم التالي
new-event = حدث جديد
edit-event = تعديل الحدث
save-event = حفظ الحدث
delete-event = حذف هذا الحدث
confirm-delete-event = هل تريد حذف هذا الحدث نهائيًا؟ سيُبلَّغ المتابعون بأنه لم يعد موجودًا؛ وإن كان قد أُلغي فقط فاختر الحالة «ملغى» بدلًا من ذلك، لتحتفظ به التقاويم مع علامة.
field-start = البداية
field-end = النهاية
field-all-day = طوال اليوم (البداية والنهاية تاريخان)
field-timezone = المنطقة الزمنية للحدث (حيث يقام)
hint-event-times = كما يذكره تقويم الحدث، بمنطقته الزمنية: 2027-03-04T09:30، أو 2027-03-04 ليوم كامل.
field-rrule = التكرار (اختياري)
hint-rrule = قاعدة iCalendar لها نهاية: FREQ=WEEKLY;COUNT=4، أو FREQ=MONTHLY;UNTIL=20271231.
hint-event-status = للتأجيل اختر «مؤجَّل» وأدخل المواعيد الجديدة: يُحفظ موعد البداية السابق ويُعرض.
field-place-name = المكان
field-place-street = الشارع
field-place-locality = المدينة
field-place-postal-code = الرمز البريدي
field-online-url = رابط البث أو الاجتماع
field-case-name = القضية
field-case-number = رقم القضية
agenda-new = إضافة حدث
agenda-edit = تعديل
err-required = هذا الحقل مطلوب.
err-bad-language-tag = «{ $value }» ليس رمز لغة: استخدم رموزًا مثل en أو fr أو ar أو sw.
field-languages = اللغات المستخدمة
field-interpretation = الترجمة الفورية إلى
hint-languages = رموز اللغات مفصولة بفواصل: en, fr, sw.
field-accessibility = إمكانية الوصول (مدخل بلا درجات، ترجمة نصية، لغة الإشارة…)
field-organizers = جهات منظِّمة أخرى
hint-organizers = جهة في كل سطر: اسمها، ثم | وموقعها إن وُجد: المحكمة الجنائية الدولية | https://www.icc-cpi.int/
agenda-languages = اللغات
agenda-interpretation = ترجمة فورية إلى
agenda-accessibility = إمكانية الوصول
agenda-organizers = الجهات المنظِّمة

## statements
err-bad-embargo = «{ $value }» ليس تاريخًا ووقتًا مع المنطقة الزمنية: اكتبه هكذا 2027-01-15T09:00:00Z.
err-bad-hashtag = لا يمكن أن يكون «{ $value }» وسمًا: استخدم الحروف والأرقام و_ فقط، دون مسافات.
statement-signed-by = الموقِّعون
statement-embargoed = محظور النشر حتى { $time }: لا يرى هذا البيان إلا منظمتك. يصبح عامًا ويُرسَل إلى المتابعين عندئذ.
statement-cta = دعوة إلى العمل
statement-cta-act = تحرّك الآن
statement-cta-deadline = الموعد النهائي:
statement-signatories = { $count ->
    [zero] لا موقِّعين
    [one] موقِّع واحد
    [two] موقِّعان
    [few] { $count } موقِّعين
    [many] { $count } موقِّعًا
   *[other] { $count } موقِّع
}
statement-lead = المنظمة الرائدة
statement-verified = موثَّق
statement-signed-version = وقَّع النسخة { $version }
statement-external = خارج الشبكة
statement-pending = الدعوات والطلبات
signature-invited = مدعوّة
signature-requested = تطلب التوقيع
signature-signed = وقَّعت
signature-declined = اعتذرت
signature-withdrawn = سحبت توقيعها
statement-targets = موجَّه إلى
statement-hashtags = الوسوم
statement-case = القضية
statement-version = النسخة
statement-digest = بصمة النص الموقَّع
err-target-lead = «{ $value }» هي المنظمة الرائدة لهذا البيان: فهي توقّعه أصلًا.
err-stale-digest = تغيّر النص منذ قراءته («{ $value }» ليست بصمة نسخته الحالية): اقرأه مجددًا قبل التوقيع.
error-forged-signature = رُفض التوقيع
error-forged-signature-help = دليله ليس بمفتاح المنظمة الموقِّعة نفسها، أو أنه لبيان آخر.
error-stale-digest = توقيع لنسخة سابقة
error-stale-digest-help = هذا التوقيع لنسخة سابقة من النص.
error-bad-digest = البصمة غير مطابقة
error-bad-digest-help = البصمة المرسلة لا تطابق نص البيان.
reactions-boosts = { $count ->
    [zero] لا مشاركات في الفديفرس
    [one] مشاركة واحدة في الفديفرس
    [two] مشاركتان في الفديفرس
    [few] { $count } مشاركات في الفديفرس
   *[other] { $count } مشاركة في الفديفرس
}
reactions-likes = { $count ->
    [zero] لا إعجابات
    [one] إعجاب واحد
    [two] إعجابان
    [few] { $count } إعجابات
   *[other] { $count } إعجابًا
}
share-out-title = مشاركة
share-out-fediverse = شارك على خادمي
share-out-hint = ماستودون أو خادم آخر في الفديفرس. يُحفظ على هذا الجهاز بعد كتابته مرة واحدة: اتركه فارغًا في المرة القادمة.
share-out-email = المشاركة بالبريد الإلكتروني
share-out-link = رابط للنسخ:
nav-campaigns = الحملات
campaigns-title = الحملات
campaigns-intro = تجمع الحملات بيانات وموارد وفعاليات منظمات كثيرة تحت وسم واحد. تابع حملة من حسابك في الفديفرس لترى كل ما تضيفه.
campaigns-none = لا حملات بعد.
campaign-goals = الأهداف
campaign-statements = البيانات
campaign-resources = الموارد
campaign-events = الفعاليات
campaign-empty = لم يُضَف شيء إلى هذه الحملة بعد.
campaign-orgs = المنظمات المشاركة
campaign-proposed = مقترحات من الشركاء بانتظار المنظِّمين
campaign-feed = خلاصة هذه الحملة (RSS)
err-item-unknown = «{ $value }» ليس منشورًا تعرفه هذه النسخة: تابِع منظمته أولًا، أو تحقّق من العنوان.
invitations-title = دعوات للتوقيع
invitations-intro = البيانات التي دُعيت منظمتك إلى توقيعها. اقرأ النص: توقيعك مرتبط بهذه النسخة بالضبط، عبر البصمة أدناه.
invitations-none = لا دعوات بانتظار الرد.
invitations-stale = تغيّر النص منذ هذه الدعوة: ستدعوك المنظمة الرائدة مجددًا لتوقيع النسخة الجديدة.
invitations-announce = شاركه مع متابعينا بعد التوقيع (ونشره)
invitations-sign = وقِّع هذا النص
invitations-decline = اعتذر
follow-campaign-title = تابِع هذه الحملة
follow-campaign-help = من ماستودون أو ليمي أو خادم آخر في الفديفرس: اكتب خادمك وستنتقل إلى صفحة المتابعة فيه؛ فيصل كل ما تضيفه الحملة إلى خطك الزمني. أو ابحث عن هذا العنوان في تطبيقك:

# statement and campaign editors
new-statement = بيان جديد
edit-statement = تعديل البيان
statement-edit-version = تغيير عنوان بيان وقّعه أحد أو ملخّصه أو نصّه ينشئ نسخة جديدة: يُطلب من كل موقّع تأكيدها، ويبقى توقيعه محسوبًا للنسخة التي وقّعها حتى ذلك الحين.
field-statement-kind = نوع البيان
field-cta-text = ما يُطلب من القرّاء
field-cta-url = رابط للتحرّك
field-cta-deadline = الموعد النهائي
hint-one-a-line = واحد في كل سطر.
hint-hashtags = مفصولة بمسافات، مع # أو بدونها. حروف بأي كتابة وأرقام و _.
section-signing = التوقيع والحظر المؤقت
field-open-signing = توقيع مفتوح: يمكن لأي منظمة على خادم مسموح به أن تطلب التوقيع (وتوافقون على كل طلب)
field-external-signatories = موقّعون من خارج الشبكة
hint-external-signatories = منظمة واحدة في كل سطر. تظهر بعبارة «من خارج الشبكة»، دون تحقّق.
field-embargo = محظور النشر حتى (بالتوقيت العالمي)
hint-embargo = لا يصبح شيء علنيًا ولا يُرسل إلى خوادم أخرى قبل هذا الوقت؛ تراه منظمتكم مع إشارة إلى الحظر. اتركوه فارغًا إن لم يكن هناك حظر.
statement-sign-digest = توقّع { $org } هذه النسخة من النص بالضبط (بصمتها أدناه).
statement-sign-as = التوقيع باسم { $org }
statement-sign-requested = طلبت { $org } التوقيع؛ ولم تردّ المنظمة المبادِرة بعد.
statement-withdraw-as = سحب توقيع { $org }
statement-request = تطلب { $org } التوقيع.
action-approve = موافقة
statement-invite = دعوة منظمات إلى التوقيع
hint-invite = عنوان واحد في كل سطر: ‎@org@their.instance‎، أو منظمة على هذا الخادم باسمها المعرّف. تتلقى كل منها النص بالضبط.
statement-invite-send = إرسال الدعوات
done-invited = أُرسلت الدعوات.
done-signed = تمّ التوقيع. إن كانت المنظمة المبادِرة على خادم آخر، يصلها توقيعكم بعد لحظات.
done-signature-approved = تمّت الموافقة على التوقيع. يُبلَّغ كل من لديه البيان.
done-signature-declined = رُفض الطلب.
done-signature-withdrawn = سُحب التوقيع.
new-campaign = حملة جديدة
edit-campaign = تعديل الحملة
campaign-address = تُتابَع في الفديفيرس على العنوان
field-campaign-handle = عنوان الحملة الخاص
hint-campaign-handle = حروف لاتينية صغيرة وأرقام و _: يتابعها الناس على ‎@العنوان@هذا-الخادم‎. لا يمكن تغييره لاحقًا.
field-campaign-hashtag = الوسم
field-starts-on = تبدأ في
field-ends-on = تنتهي في
campaign-banner = اللافتة
hint-banner = صورة JPEG أو PNG أو WebP؛ تُزال بياناتها الوصفية (المكان، الكاميرا).
delete-campaign = حذف الحملة
confirm-delete-campaign = حذف هذه الحملة نهائيًا؟ تبقى منشوراتها في المكتبة؛ لا تزول إلا صفحة الحملة وعنوانها القابل للمتابعة.
campaign-add-item = إضافة بيان أو مورد أو حدث
campaign-propose-item = اقتراح بيان أو مورد أو حدث
hint-campaign-item = عنوانه (صفحته هنا، أو معرّفه على خادم شريك). يجب أن يكون علنيًا ومعروفًا لهذا الخادم.
campaign-add = إضافة
campaign-propose = اقتراح
done-item-added = أُضيف. يُبلَّغ متابعو الحملة.
done-item-proposed = اقتُرح. يقرّر منظّمو الحملة.
done-item-removed = أُخرج من الحملة.
statement-confirm-as = تأكيد النسخة { $version } باسم { $org }
cli-invited = دُعيت { $count }{ $refused ->
    [0] {""}
   *[other] ؛ لم يُعثر على: { $list }
}
cli-signed = وقّعت { $org } (أو طلبت التوقيع على) النسخة { $version }
cli-withdrawn = سحبت { $org } توقيعها
cli-item-added = أُضيف إلى الحملة: { $state }
cli-no-user = لا يوجد حساب { $value }: سمّوا الحساب الذي يعمل الأمر باسمه (--as)
following-h = المنظمات التي تتابعها
following-none = لا تتابع أحدًا بعد.
following-waiting = في انتظار ردّهم
following-accepted = تتم متابعتها
backfill-pending = المنشورات السابقة: في الانتظار
backfill-running = جارٍ جلب المنشورات السابقة: { $stored } حتى الآن
backfill-done = جُلبت المنشورات السابقة: حُفظ { $stored } واستُبعد { $skipped }
backfill-failed = تعذّر جلب المنشورات السابقة (حُفظ { $stored }): { $error }
backfill-progress = تقدّم الجلب
backfill-again = جلب المنشورات السابقة مجددًا
cli-backfilled = { $actor }: حُفظ { $stored } منشورًا واستُبعد { $skipped }، وقُرئت { $pages } صفحة
err-not-followed = لا تتابع أي منظمة هنا { $value }: تابعوها أولًا
search-network = البحث أيضًا في مكتبات الشركاء الآن
network-asked = سُئلت { $count } من مكتبات الشركاء، إضافة إلى هذه المكتبة.
network-silent = قد تكون هذه النتائج ناقصة: لم يصل ردّ في الوقت من { $hosts }.
network-on = على
